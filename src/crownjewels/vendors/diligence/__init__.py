"""Due diligence of vendors: questionnaire templates (data files), assessments answered by the
vendor, reviewed answer by answer, remediation items, and explained inherent and residual risk."""
