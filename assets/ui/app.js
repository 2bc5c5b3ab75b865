// lockgate UI: live updates with EventSource; no build step.
