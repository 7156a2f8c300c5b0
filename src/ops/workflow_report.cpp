#include "ops/workflow_report.h"

#include <cstdio>

namespace baliza::ops {

int WorkflowReport::warnings() const {
  int n = 0;
  for (const StepReport& s : steps) n += s.warnings;
  return n;
}

namespace {

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string lpad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

}  // namespace

std::string report_text(const WorkflowReport& r) {
  std::size_t name_width = 4;
  for (const StepReport& s : r.steps) name_width = std::max(name_width, s.name.size());
  std::string out = std::string("workflow ") + r.workflow + (r.dry_run ? " (dry run)" : "") +
                    (r.quick ? " (quick)" : "") + ": " + r.status;
  if (!r.dry_run) out += " in " + seconds_text(r.seconds) + " s";
  out += "\n  " + pad("#", 3) + pad("step", name_width + 2) + pad("kind", 10) + pad("status", 9) +
         lpad("seconds", 8) + lpad("rows", 11) + lpad("warnings", 10) + "  message\n";
  for (const StepReport& s : r.steps) {
    out += "  " + pad(std::to_string(s.position), 3) + pad(s.name, name_width + 2) +
           pad(s.kind, 10) + pad(s.status, 9) + lpad(seconds_text(s.seconds), 8) +
           lpad(std::to_string(s.rows), 11) + lpad(std::to_string(s.warnings), 10) + "  " +
           s.message + "\n";
    for (const std::string& note : s.notes) out += "       " + note + "\n";
  }
  if (!r.dry_run) {
    out += "  total " + seconds_text(r.seconds) + " s, " + std::to_string(r.warnings()) +
           " warning(s); run " + r.run_id + " (meta.workflow_runs)\n";
  }
  return out;
}

nlohmann::json report_json(const WorkflowReport& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const StepReport& s : r.steps) {
    steps.push_back({{"position", s.position},
                     {"step", s.name},
                     {"kind", s.kind},
                     {"status", s.status},
                     {"started_at", s.started_at},
                     {"finished_at", s.finished_at},
                     {"seconds", s.seconds},
                     {"rows", s.rows},
                     {"warnings", s.warnings},
                     {"message", s.message},
                     {"notes", s.notes},
                     {"detail", s.detail}});
  }
  return {{"run_id", r.run_id},
          {"workflow", r.workflow},
          {"project", r.project},
          {"status", r.status},
          {"quick", r.quick},
          {"dry_run", r.dry_run},
          {"started_at", r.started_at},
          {"finished_at", r.finished_at},
          {"seconds", r.seconds},
          {"warnings", r.warnings()},
          {"steps", steps}};
}

}  // namespace baliza::ops
