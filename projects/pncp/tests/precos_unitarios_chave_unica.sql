-- One row per month x catalogue code x description x unit x material/service in
-- marts.precos_unitarios, and its counts add up to the results in force.
select mes::varchar as chave, count(*) as linhas
from {{ ref('precos_unitarios') }}
group by mes, catalogo_codigo_item, descricao, unidade_medida, material_ou_servico
having count(*) > 1
union all
select 'total', (select sum(qtd_resultados) from {{ ref('precos_unitarios') }})
where (select coalesce(sum(qtd_resultados), 0) from {{ ref('precos_unitarios') }})
   <> (select count(*) from {{ ref('resultados_item') }} where situacao_resultado_id = 1)
