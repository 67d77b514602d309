"""The read-model contract both sides share and neither owns.

The projector (`projections/`) writes it, the queries (`queries/`) read it, and those two
never import each other: index names (`names`), the mapping and analysis (`mapping`),
the index's lifecycle and the live index behind the alias (`indices`), the published
progress (`progress`) and the change stamp (`stamps`).
"""
