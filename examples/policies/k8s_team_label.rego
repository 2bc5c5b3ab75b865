# Example custom policy: Kubernetes workloads say which team runs them
# (`metadata.labels.team`), for on-call routing.
#
#   lockgate scan --rego examples/policies/k8s_team_label.rego k8s/
package lockgate.examples.k8s

import rego.v1

workloads := {"k8s.Deployment", "k8s.StatefulSet", "k8s.DaemonSet", "k8s.CronJob", "k8s.Job"}

deny contains finding if {
	workloads[input.kind]
	not input.attributes.metadata.labels.team
	finding := {
		"id": "ACME-K8S-001",
		"severity": "medium",
		"message": sprintf("%s has no `team` label", [input.address]),
	}
}
