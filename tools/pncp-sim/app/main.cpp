// pncp-sim: serve the simulated PNCP consultation API, or print its ground truth.
//   pncp-sim --port 8080 --seed 42 --records-per-day contratos=200 --fault 429:rate=0.05
//   pncp-sim truth --from 2024-01-01 --to 2024-01-31
//   pncp-sim records --endpoint /v1/contratos --date 2024-01-15
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "pncp_sim/data.h"
#include "pncp_sim/simulator.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) {
  g_stop = true;
}

// "contratos=200,atas=10" -> VolumeConfig fields.
void apply_volumes(const std::string& spec, pncp_sim::VolumeConfig& v) {
  size_t start = 0;
  while (start < spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = item.find('=');
    if (eq == std::string::npos)
      throw CLI::ValidationError("--records-per-day", "'" + item + "' is not family=number");
    std::string family = item.substr(0, eq);
    double n = std::stod(item.substr(eq + 1));
    if (family == "contratacoes")
      v.contratacoes_per_day = n;
    else if (family == "contratos")
      v.contratos_per_day = n;
    else if (family == "atas")
      v.atas_per_day = n;
    else if (family == "pca")
      v.pca_per_day = n;
    else if (family == "instrumentos")
      v.instrumentos_per_day = n;
    else
      throw CLI::ValidationError(
          "--records-per-day",
          "unknown family '" + family + "' (contratacoes, contratos, atas, pca, instrumentos)");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Simulated PNCP consultation API (loopback) with deterministic data and faults"};
  pncp_sim::Options options;
  std::string volumes;
  std::vector<std::string> fault_specs, schema_specs;
  app.add_option("--host", options.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", options.port, "Port (0 = any free port)")->capture_default_str();
  app.add_option("--seed", options.seed, "Seed of all synthetic data")->capture_default_str();
  app.add_option("--today", options.today, "The simulated current date (yyyyMMdd); default: now");
  app.add_option("--threads", options.threads, "Worker threads")->capture_default_str();
  app.add_option("--revision", options.revision,
                 "State of the data: 0 as published; r >= 1 changes recent purchases (later "
                 "dataAtualizacaoGlobal, one more item), 1 also removes some (404)")
      ->capture_default_str();
  app.add_option("--revised-rate", options.revised_rate,
                 "Share of recent purchases each revision changes")
      ->capture_default_str();
  app.add_option("--removed-rate", options.removed_rate,
                 "Share of recent purchases revision 1 removes")
      ->capture_default_str();
  app.add_option("--scale", options.volume.scale, "Multiplies every volume")->capture_default_str();
  app.add_option("--records-per-day", volumes,
                 "e.g. contratos=100,contratacoes=60,atas=20,pca=10,instrumentos=5");
  app.add_option("--invalid-cnpj-rate", options.quality.invalid_cnpj_rate)->capture_default_str();
  app.add_option("--bad-value-rate", options.quality.bad_value_rate)->capture_default_str();
  app.add_option("--fault", fault_specs,
                 "kind[:key=value,...]; kinds 429, 5xx, slow, reset, truncate, shift, fail_first, "
                 "short, html200, client_throttle, past_end, wrong_count, garbage; keys "
                 "endpoint, rate, status, "
                 "retry_after, delay_ms, count, rps, burst, mode=cut_json|html");
  app.add_option("--schema-change", schema_specs,
                 "rename|add|retype:endpoint=/v1/contratos,from=20240115,field=a.b,to=newName");

  std::string from, to, endpoint, date;
  std::optional<int> modalidade;
  auto* truth = app.add_subcommand("truth", "Print record counts per endpoint and day as JSON");
  truth->add_option("--from", from, "First day (yyyy-MM-dd or yyyyMMdd)")->required();
  truth->add_option("--to", to, "Last day")->required();
  auto* records =
      app.add_subcommand("records", "Print the records of one endpoint and day as JSON");
  records->add_option("--endpoint", endpoint, "e.g. /v1/contratos")->required();
  records->add_option("--date", date, "Day (yyyy-MM-dd or yyyyMMdd)")->required();
  records->add_option("--modalidade", modalidade, "For /v1/contratacoes/*");
  int item_page = 500;
  auto* itens = app.add_subcommand(
      "itens",
      "Print what the items and results of the purchases published in a period cost: "
      "purchases, items, results, requests at a page size (JSON)");
  itens->add_option("--from", from, "First day (yyyy-MM-dd or yyyyMMdd)")->required();
  itens->add_option("--to", to, "Last day")->required();
  itens->add_option("--page-size", item_page, "tamanhoPagina of the items requests")
      ->capture_default_str();
  itens->fallthrough();
  truth->fallthrough();
  records->fallthrough();
  CLI11_PARSE(app, argc, argv);

  try {
    if (!volumes.empty()) apply_volumes(volumes, options.volume);
    for (const auto& spec : fault_specs) options.faults.push_back(pncp_sim::parse_fault(spec));
    for (const auto& spec : schema_specs)
      options.schema_changes.push_back(pncp_sim::parse_schema_change(spec));
    if (truth->parsed()) {
      std::cout << pncp_sim::ground_truth(options, from, to).dump(1) << "\n";
      return 0;
    }
    if (itens->parsed()) {
      std::cout << pncp_sim::itens_summary(options, from, to, item_page).dump(1) << "\n";
      return 0;
    }
    if (records->parsed()) {
      std::cout
          << nlohmann::json(pncp_sim::records_for(options, endpoint, date, modalidade)).dump(1)
          << "\n";
      return 0;
    }
    pncp_sim::Simulator sim(options);
    sim.start();
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::cout << "pncp-sim serving " << sim.base_url() << " (seed " << options.seed << ", today "
              << pncp_sim::effective_today(options) << "); Ctrl-C to stop" << std::endl;
    while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    sim.stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pncp-sim: " << e.what() << "\n";
    return 2;
  }
}
