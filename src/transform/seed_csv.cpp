#include "transform/seed_csv.h"

#include "core/error.h"

namespace baliza::transform {
namespace {

std::string show(char c) {
  if (c == '\t') return "tab";
  return std::string("'") + c + "'";
}

class Reader {
 public:
  Reader(std::string_view text, char delimiter, const std::string& file)
      : t_(text), d_(delimiter), file_(file) {
    if (t_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
  }

  // Reads one row into `fields`; false at the end of the text. Blank lines are skipped.
  bool row(std::vector<std::string>& fields, int& line) {
    while (i_ < t_.size() && (t_[i_] == '\n' || t_[i_] == '\r')) {
      if (t_[i_] == '\n') ++line_;
      ++i_;
    }
    if (i_ >= t_.size()) return false;
    fields.clear();
    line = line_;
    while (true) {
      fields.push_back(field());
      if (i_ >= t_.size()) return true;
      char c = t_[i_];
      if (c == d_) {
        ++i_;
        continue;
      }
      // end of line
      if (c == '\r') ++i_;
      if (i_ < t_.size() && t_[i_] == '\n') {
        ++i_;
        ++line_;
      }
      return true;
    }
  }

 private:
  std::string field() {
    std::string out;
    if (i_ < t_.size() && t_[i_] == '"') {
      int opened = line_;
      ++i_;
      while (true) {
        if (i_ >= t_.size()) {
          throw usage_error(file_ + ":" + std::to_string(opened) +
                            ": a quoted value is never closed (the file ends inside it); add the "
                            "closing '\"' (a '\"' inside a value is written '\"\"')");
        }
        char c = t_[i_++];
        if (c == '"') {
          if (i_ < t_.size() && t_[i_] == '"') {
            out += '"';
            ++i_;
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        out += c;
      }
      if (i_ < t_.size() && t_[i_] != d_ && t_[i_] != '\n' && t_[i_] != '\r') {
        throw usage_error(file_ + ":" + std::to_string(line_) + ": text after a closing quote ('" +
                          std::string(1, t_[i_]) + "'); quote the whole value, writing a '\"' " +
                          "inside it as '\"\"'");
      }
      return out;
    }
    while (i_ < t_.size() && t_[i_] != d_ && t_[i_] != '\n' && t_[i_] != '\r') out += t_[i_++];
    return out;
  }

  std::string_view t_;
  char d_;
  const std::string& file_;
  std::size_t i_ = 0;
  int line_ = 1;
};

}  // namespace

CsvShape check_seed_csv(std::string_view text, char delimiter, const std::string& file) {
  CsvShape shape;
  Reader reader(text, delimiter, file);
  std::vector<std::string> fields;
  int line = 0;
  if (!reader.row(shape.header, line)) {
    throw usage_error(file + " is empty; a seed needs a header row with the column names");
  }
  for (std::size_t k = 0; k < shape.header.size(); ++k) {
    if (shape.header[k].empty()) {
      throw usage_error(file + ":" + std::to_string(line) + ": column " + std::to_string(k + 1) +
                        " of the header has no name; name every column");
    }
  }
  while (reader.row(fields, line)) {
    if (fields.size() != shape.header.size()) {
      throw usage_error(file + ":" + std::to_string(line) + ": row has " +
                        std::to_string(fields.size()) + " field" + (fields.size() == 1 ? "" : "s") +
                        ", the header has " + std::to_string(shape.header.size()) +
                        "; add the missing fields (an empty one is NULL), remove the extra ones, "
                        "or quote a value that contains the delimiter " +
                        show(delimiter));
    }
    ++shape.rows;
  }
  return shape;
}

}  // namespace baliza::transform
