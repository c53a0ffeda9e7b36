/**
 * AppInspect warnings the app keeps on purpose, by check name, each with its reason. Every
 * reason is also in adapters/splunk/README.md ("AppInspect"), where an admin or a Splunk Cloud
 * vetting reviewer reads it; appinspect.test.ts holds the two in step.
 */
export const ALLOWED_WARNINGS: Readonly<Record<string, string>> = {
  check_for_python_script_existence:
    'The alert actions and the scripted input are Python 3 only (python.version = python3, python.required = 3.13); Python 2 compatibility for Splunk 8.0 is not a goal.',
  check_for_scripted_inputs:
    'The scripted input is how the engine runs on the search head: one tierzero pass every 5 minutes, with the session key on stdin. AppInspect only notes that one exists ("No action required").',
  check_collections_conf:
    'The KV store collection tierzero_state holds the engine\'s checkpoint and detector state. AppInspect only notes that one exists ("No action required").',
};
