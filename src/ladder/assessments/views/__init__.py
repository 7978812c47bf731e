"""The assessment, evidence, growth-plan and reports pages: thin views over the getters of
permissions.py, the selectors and the services."""
