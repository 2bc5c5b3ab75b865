# Example custom policy: AWS resources that take tags carry an `owner` tag,
# so every cost and every incident has someone to call.
#
#   lockgate scan --rego examples/policies/required_tags.rego
package lockgate.examples.tags

import rego.v1

taggable := {"aws_s3_bucket", "aws_instance", "aws_db_instance", "aws_lambda_function"}

deny contains finding if {
	taggable[input.kind]
	not input.attributes.tags.owner
	finding := {
		"id": "ACME-TAG-001",
		"severity": "low",
		"title": "Resources carry an owner tag",
		"message": sprintf("%s has no `owner` tag", [input.address]),
	}
}
