{{ dbt_utils.union_relations(relations=[ref('a'), ref('b')]) }}
{{ dbt_utils.date_spine(datepart='day', start_date="cast('2024-01-01' as date)", end_date="cast('2024-02-01' as date)") }}
{{ dbt_utils.pivot('status', ['a', 'b']) }}
{{ dbt_utils.unpivot(relation=ref('orders'), cast_to='varchar', exclude=['id']) }}
{{ dbt_utils.get_column_values(ref('orders'), 'status') }}
{{ dbt_utils.deduplicate(relation=ref('orders'), partition_by='id', order_by='ts desc') }}
{{ dbt_date.get_date_dimension('2024-01-01', '2024-01-10') }}
