"""The letters of an incident case: cease-and-desist, notice of breach, regulator notices, the
notice to affected people and the internal briefing, drafted from the case as DOCX and PDF."""
