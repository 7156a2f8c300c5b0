-- Record accounting must balance for every staging model (see models/lineage/accounting.sql):
-- returns the models whose records in raw differ from staging + deduplicated + quarantined.
select * from {{ ref('accounting') }} where not balanced
