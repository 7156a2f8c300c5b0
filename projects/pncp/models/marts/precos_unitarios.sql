-- Unit prices won, per item (catalogue code + description + unit of measure) and month of the
-- purchase's publication: the question price researchers ask ("what does a ream of A4 paper
-- cost the public sector?"). From the results in force (situação 1 = Informado; cancelled ones
-- are left out) joined to their item; prices are valorUnitarioHomologado.
select
  date_trunc('month', i.data_publicacao)::date as mes,
  i.catalogo_codigo_item,
  i.descricao,
  i.unidade_medida,
  i.material_ou_servico,
  count(*) as qtd_resultados,
  count(distinct r.numero_controle_pncp) as qtd_compras,
  count(distinct i.orgao_cnpj) as qtd_orgaos,
  count(distinct r.ni_fornecedor) as qtd_fornecedores,
  min(r.valor_unitario_homologado) as preco_minimo,
  quantile_cont(r.valor_unitario_homologado, 0.25)::decimal(18, 4) as preco_p25,
  quantile_cont(r.valor_unitario_homologado, 0.5)::decimal(18, 4) as preco_mediano,
  quantile_cont(r.valor_unitario_homologado, 0.75)::decimal(18, 4) as preco_p75,
  max(r.valor_unitario_homologado) as preco_maximo,
  (sum(r.valor_total_homologado) / nullif(sum(r.quantidade_homologada), 0))::decimal(18, 4)
    as preco_medio_ponderado,
  avg(i.valor_unitario_estimado)::decimal(18, 4) as preco_estimado_medio,
  sum(r.quantidade_homologada) as quantidade_total,
  sum(r.valor_total_homologado) as valor_total_homologado
from {{ ref('resultados_item') }} r
join {{ ref('itens_compra') }} i
  on i.numero_controle_pncp = r.numero_controle_pncp and i.numero_item = r.numero_item
where r.situacao_resultado_id = 1
group by all
order by mes, catalogo_codigo_item, descricao, unidade_medida
