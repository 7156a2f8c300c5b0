// Trace and impact as a request any reader can answer (`baliza trace`, `baliza impact` and the
// UI's Lineage and Impact views): the lineage engine (lineage/explain.h) needs a connection to
// the database, which a process only has when it holds the file or opened it read-only. While
// another baliza process holds it (an extraction or a transform running), the request travels
// through that process's read socket as the read procedure kExplainProcedure
// (db/read_procedure.h): the holder loads the project named by the request, runs the engine on
// the client's connection inside one READ ONLY transaction with select-only statements, and
// sends back the result. Where the file is opened here, the same procedure runs here (register
// explain_procedures() in ReaderOptions::procedures). Either way the answer is the same.
//
// Read-only: the predicate (`--where`) comes from the caller, so it must pass the read guard
// (db/read_guard.h, as part of "SELECT count(*) FROM <relation> WHERE (<predicate>)") before the
// engine sees it, wrapped in parentheses exactly as checked; the engine's own statements are
// SELECTs (select-only mode refuses anything else).
//
// The project: the request names it by Project::root (an absolute directory, or
// "embedded:<name>" for a project built into the binary). The procedure keeps loaded projects
// and reloads one when a file of it changed (size or mtime of baliza.yml / dbt_project.yml and
// every file under its model, seed, macro, ... paths); a project passed to explain_procedures()
// is used as is for its root.
//
// Errors: usage errors (exit 2) for an unknown model, a refused or failing predicate, a missing
// key; the holder's errors reach the caller with their exit codes (db/reader.h).
// Speed: the procedures keep one lineage::AnalysisCache for every request they answer, so a
// long-lived process (the UI, a holder) analyses each model's SQL once, not per request; a
// changed model file reloads the project and compiles to another SQL, which is analysed again.
// Threads: the procedure is thread-safe (the project and analysis caches have mutexes).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "db/read_procedure.h"
#include "db/reader.h"
#include "lineage/analysis_cache.h"
#include "transform/project.h"

namespace baliza::ops {

inline constexpr const char* kExplainProcedure = "lineage.explain";

struct ExplainRequest {
  std::string op;       // "trace" or "impact"
  std::string project;  // Project::root: an absolute directory or "embedded:<name>"
  // trace: the model (or seed); impact: the relation the rows are picked from ("" with page).
  std::string model;
  std::string where;   // SQL predicate over the model's / relation's columns
  std::string key;     // or: the value of the model's one-column unique key
  std::string page;    // impact: sha256 (prefix) of a raw page
  std::string column;  // impact: a column of the relation, or a JSON field of the page's records
  int limit = 5;       // sample rows per level
  bool show_json = false;  // trace: each raw record's JSON

  nlohmann::json to_json() const;
  static ExplainRequest from_json(const nlohmann::json& j);  // usage error when malformed
};

struct ExplainAnswer {
  nlohmann::json result;  // lineage::ExplainResult::to_json()
  std::string text;       // lineage::ExplainResult::to_text()
  std::string where;      // the predicate the engine ran (from key, or the checked where)
  int exit_code = 0;      // 0 complete, 1 a step could not be followed or a check failed
  std::string ran_by;     // who ran it: "this process" or "process N (...)" (its holder)
};

// Runs the request on conn over project, checking the caller's predicate with the read guard.
// With cache, model analyses are reused across calls (lineage/analysis_cache.h).
ExplainAnswer run_explain(Connection& conn, const transform::Project& project,
                          const ExplainRequest& request, lineage::AnalysisCache* cache = nullptr);

// {kExplainProcedure: ...}, for ReaderOptions::procedures and the read server. With preloaded,
// requests for its root use it instead of loading the project again (it must outlive them).
ReadProcedures explain_procedures(const transform::Project* preloaded = nullptr);

// Asks reader (db/reader.h): the holder through its socket, else the file opened here (with
// explain_procedures() in its ReaderOptions::procedures).
ExplainAnswer explain(Reader& reader, const ExplainRequest& request);

}  // namespace baliza::ops
