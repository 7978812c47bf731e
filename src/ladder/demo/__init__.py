"""A believable demo organisation, on top of every other app: a manager tree, teams, level
histories, three logins, and what people did (evidence, assessments against their next level and
growth plans). `organisation.demo_organisation_create` builds it; `ladder seed-demo` runs that."""
