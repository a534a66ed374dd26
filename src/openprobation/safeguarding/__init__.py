"""Safeguarding enquiries (police domestic-abuse and children's-services checks) and the RoSH assessment record
whose sign-off they gate."""
