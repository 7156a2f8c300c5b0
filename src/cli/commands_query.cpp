// Commands that read: query, dump-catalog, fetch-payload.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/context.h"
#include "cli/result_format.h"
#include "core/error.h"
#include "core/log.h"
#include "extract/raw_store.h"

namespace baliza::cli {
namespace {

void write_stdout(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// Columns of a table: name, type, "YES"/"NO" nullable, in table order.
TextTable table_columns(Reader& db, const std::string& schema, const std::string& table) {
  return db.query(
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
      "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
      {schema, table});
}

std::string row_count(Reader& db, const std::string& schema, const std::string& table) {
  TextTable t =
      db.query("SELECT count(*) FROM " + quote_identifier(schema) + "." + quote_identifier(table));
  return t.row_count() ? t.text(0, 0) : "0";
}

std::string catalog_json(const TextTable& tables, Reader& db) {
  std::string out = "[";
  for (size_t i = 0; i < tables.row_count(); ++i) {
    std::string schema = tables.text(0, i), table = tables.text(1, i);
    std::string rows = row_count(db, schema, table);
    out += i ? ",\n " : "\n ";
    out += "{\"schema\": ";
    append_json_string(out, schema);
    out += ", \"name\": ";
    append_json_string(out, table);
    out += ", \"type\": ";
    append_json_string(out, tables.text(2, i));
    out += ", \"rows\": " + rows + ", \"columns\": [";
    TextTable cols = table_columns(db, schema, table);
    for (size_t c = 0; c < cols.row_count(); ++c) {
      out += c ? ", {\"name\": " : "{\"name\": ";
      append_json_string(out, cols.text(0, c));
      out += ", \"type\": ";
      append_json_string(out, cols.text(1, c));
      out += std::string(", \"nullable\": ") + (cols.text(2, c) == "YES" ? "true" : "false");
      out += "}";
    }
    out += "]}";
  }
  return out + "\n]\n";
}

std::string catalog_markdown(const TextTable& tables, Reader& db, const std::string& path) {
  std::string out = "# Catalog of " + path + "\n";
  for (size_t i = 0; i < tables.row_count(); ++i) {
    std::string schema = tables.text(0, i), table = tables.text(1, i);
    std::string rows = row_count(db, schema, table);
    out += "\n## " + schema + "." + table + " (" + tables.text(2, i) + ", " + rows +
           " rows)\n\n| column | type | nullable |\n|---|---|---|\n";
    TextTable cols = table_columns(db, schema, table);
    for (size_t c = 0; c < cols.row_count(); ++c) {
      out += "| " + cols.text(0, c) + " | " + cols.text(1, c) + " | " +
             (cols.text(2, c) == "YES" ? "yes" : "no") + " |\n";
    }
  }
  return out;
}

TextTable write_path(Context& ctx, const std::string& sql) {
  ctx.close_reader();
  Result result = ctx.db().query_as_text(sql);
  return to_text_table(result);
}

// A single SELECT reads without waiting: through the holder's socket, or the file opened
// read-only. Anything else (or a database that does not exist yet) opens the file to write.
TextTable run_query(Context& ctx, const std::string& sql) {
  std::error_code ec;
  if (!std::filesystem::exists(ctx.settings().db_path, ec)) return write_path(ctx, sql);
  Reader& reader = ctx.reader();
  if (reader.served_by_holder()) {
    try {
      return reader.query(sql);
    } catch (const Error& e) {
      if (e.code() != ExitCode::kUsage || ctx.options().wait == 0) throw;
      ctx.say("waiting for " + reader.source() + " to release the database (--wait)");
      return write_path(ctx, sql);
    }
  }
  if (reader.can_read(sql)) return reader.query(sql);
  return write_path(ctx, sql);
}

}  // namespace

void add_query_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string sql, format = "table", catalog_format = "md", sha;

  auto* query = app.add_subcommand("query", "Run SQL against the database and print the result");
  query->add_option("sql", sql, "The SQL statement(s)")->required();
  static bool full_values = false;
  static std::size_t max_width = 0;
  query->add_option("-f,--format", format, "Output: table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  query->add_flag("--full", full_values,
                  "Table mode: print whole values (default: cut to the terminal's width)");
  query->add_option("--max-width", max_width,
                    "Table mode: cut rows to this many columns (default: the terminal's width)");
  query->callback([&ctx, &exit_code] {
    std::size_t width = full_values ? 0 : max_width > 0 ? max_width : terminal_width();
    write_stdout(format_result(run_query(ctx, sql), parse_result_format(format), width));
    exit_code = 0;
  });

  auto* catalog =
      app.add_subcommand("dump-catalog", "List schemas, tables, columns, types and row counts");
  catalog->add_option("-f,--format", catalog_format, "Output: md or json")
      ->check(CLI::IsMember({"md", "json"}));
  catalog->callback([&ctx] {
    Reader& db = ctx.reader();
    TextTable tables = db.query(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables "
        "WHERE table_catalog = current_database() ORDER BY 1, 2");
    write_stdout(catalog_format == "json" ? catalog_json(tables, db)
                                          : catalog_markdown(tables, db, ctx.settings().db_path));
  });

  auto* fetch = app.add_subcommand("fetch-payload",
                                   "Write a stored raw payload (decompressed, verified) to stdout");
  fetch->add_option("sha256", sha, "The payload's sha256, or a unique prefix of it")->required();
  fetch->callback([&ctx] {
    RawStore store(ctx.db(), {ctx.settings().zstd_level, ctx.settings().max_payload_bytes});
    write_stdout(store.get(store.resolve_prefix(sha)));
  });
}

}  // namespace baliza::cli
