"""Need-to-know access: grants, the Cedar policy engine that decides every access to a secret
and explains every denial, access reviews, lifecycle suspensions and offboarding."""
