"""The protection posture of the register: per tier, how many active secrets have every
measure in place (owner, assessment, legend, review, agreements, training, diligence, expiry)."""
