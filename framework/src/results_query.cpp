#include "results_query.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "genlab/error.hpp"
#include "genlab/schema.hpp"
#include "genlab/value.hpp"
#include "yaml_loader.hpp"

namespace genlab {
namespace {

Value swept_of(const RunRecord& r) {
  try {
    Value v = parse_yaml(r.swept_json, "swept");
    return v.is_map() ? v : Value::map();
  } catch (const Error&) {
    return Value::map();
  }
}

// "algorithm.n" reads as "n": the component's section is implied.
std::string short_key(const std::string& k) { return k.rfind("algorithm.", 0) == 0 ? k.substr(10) : k; }

struct Condition {
  std::string key, op, value;
};

Condition parse_condition(const std::string& text) {
  static const char* ops[] = {"!=", "<=", ">=", "=", "<", ">"};
  for (const char* op : ops) {
    const auto at = text.find(op);
    if (at != std::string::npos && at > 0) return {text.substr(0, at), op, text.substr(at + std::string(op).size())};
  }
  throw ConfigError("--where '" + text + "': expected KEY=VALUE, KEY!=VALUE or METRIC<VALUE (<, <=, >, >=)");
}

std::optional<double> as_number(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end) return std::nullopt;
  return v;
}

bool compare(double a, const std::string& op, double b) {
  if (op == "=") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

// One run as key -> cell, for filtering, grouping and sorting by the same names the table shows.
struct Flat {
  const RunRecord* run;
  std::vector<std::pair<std::string, std::string>> swept;  // full key, display text
  std::map<std::string, double> finals;
};

}  // namespace

std::string format_metric(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

namespace {

// Mean ± sample std of xs as a cell (the std of one run is undefined: NaN, shown blank).
Cell mean_cell(const std::vector<double>& xs) {
  Cell c;
  c.n = std::int64_t(xs.size());
  if (xs.empty()) return c;
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= double(xs.size());
  double ss = 0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  c.value = mean;
  c.std = xs.size() > 1 ? std::sqrt(ss / double(xs.size() - 1)) : std::nan("");
  c.text = format_metric(mean) + (xs.size() > 1 ? " ± " + format_metric(*c.std) : "");
  return c;
}

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t p = s.find(sep); p != std::string::npos; p = s.find(sep, start = p + 1))
    out.push_back(s.substr(start, p - start));
  out.push_back(s.substr(start));
  return out;
}

// --pivot ROW:COL[,COL...]: one metric, a row per ROW value, a column per combination of COL values.
template <class KeyOf, class Unknown>
ResultsTable pivot_table(const std::vector<Flat>& flat, const std::string& spec, const std::vector<std::string>& metrics,
                         const std::vector<std::string>& swept_keys, KeyOf key_of, Unknown unknown) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    throw ConfigError("--pivot: expected ROW_KEY:COL_KEY[,COL_KEY...], got '" + spec + "'");
  if (metrics.size() != 1)
    throw ConfigError("--pivot: name exactly one metric with --metrics (it fills the cells), got " +
                      std::to_string(metrics.size()));
  auto resolve = [&](const std::string& name) {
    const auto k = key_of(name);
    if (!k) throw unknown("--pivot", name);
    return *k;
  };
  const std::string row_key = resolve(spec.substr(0, colon));
  std::vector<std::string> col_keys;
  for (const auto& c : split_on(spec.substr(colon + 1), ',')) col_keys.push_back(resolve(c));
  // Runs pooled in a cell must differ only in their seed: any other swept key must be pinned.
  for (const auto& k : swept_keys) {
    if (k == "seed" || k == row_key || std::find(col_keys.begin(), col_keys.end(), k) != col_keys.end()) continue;
    std::set<std::string> seen;
    for (const auto& f : flat)
      for (const auto& [sk, sv] : f.swept)
        if (sk == k) seen.insert(sv);
    if (seen.size() > 1)
      throw ConfigError("--pivot: the runs also differ in " + k + " (" + std::to_string(seen.size()) +
                        " values): pin it with --where " + short_key(k) + "=... or add it to the columns");
  }
  auto value_of = [](const Flat& f, const std::string& k) {
    for (const auto& [sk, sv] : f.swept)
      if (sk == k) return sv;
    return std::string();
  };
  std::vector<std::string> rows, cols;
  std::map<std::pair<std::string, std::string>, std::vector<double>> cells;
  std::size_t ok = 0;
  for (const auto& f : flat) {
    const std::string r = value_of(f, row_key);
    std::string c;
    for (std::size_t i = 0; i < col_keys.size(); ++i) c += (i ? "/" : "") + value_of(f, col_keys[i]);
    if (std::find(rows.begin(), rows.end(), r) == rows.end()) rows.push_back(r);
    if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
    const auto it = f.finals.find(metrics[0]);
    if (f.run->status != "ok" || it == f.finals.end()) continue;
    cells[{r, c}].push_back(it->second);
    ++ok;
  }
  ResultsTable t;
  std::string corner = short_key(row_key) + " \\ ";
  for (std::size_t i = 0; i < col_keys.size(); ++i) corner += (i ? "/" : "") + short_key(col_keys[i]);
  t.columns.push_back(corner);
  t.columns.insert(t.columns.end(), cols.begin(), cols.end());
  for (const auto& r : rows) {
    std::vector<Cell> row{Cell{r, {}, {}, 0}};
    for (const auto& c : cols) row.push_back(mean_cell(cells[{r, c}]));
    t.rows.push_back(std::move(row));
  }
  t.footnotes.push_back(metrics[0] + ", mean ± std over seeds; " + std::to_string(ok) + " runs ok of " +
                        std::to_string(flat.size()));
  return t;
}

}  // namespace

ResultsTable build_results_table(const std::vector<RunRecord>& runs, const ShowOptions& o) {
  if (o.format != "table" && o.format != "csv" && o.format != "json" && o.format != "markdown")
    throw ConfigError("--format: expected table, csv, json or markdown, got '" + o.format + "'");
  // No run has finished yet (a sweep in progress): there are no keys or metrics to filter, sort or pick
  // by, so the options are not checked against them; the caller lists the unfinished runs.
  if (runs.empty() && (o.aggregate || !o.metrics.empty() || !o.sort.empty() || !o.where.empty() || !o.pivot.empty())) {
    ShowOptions plain;
    plain.format = o.format;
    return build_results_table(runs, plain);
  }
  std::vector<Flat> flat;
  std::vector<std::string> swept_keys, final_keys;
  for (const auto& r : runs) {
    Flat f{&r, {}, {}};
    const Value s = swept_of(r);
    for (const auto& [k, v] : s.as_map()) {
      f.swept.emplace_back(k, v.kind() == Value::Kind::String ? v.as_string() : v.brief());
      if (std::find(swept_keys.begin(), swept_keys.end(), k) == swept_keys.end()) swept_keys.push_back(k);
    }
    for (const auto& [k, v] : r.finals) {
      f.finals[k] = v;
      if (std::find(final_keys.begin(), final_keys.end(), k) == final_keys.end()) final_keys.push_back(k);
    }
    flat.push_back(std::move(f));
  }
  // A name on the command line: a swept key (full, as the table shows it, or without its section:
  // `components` for model.components when no other section sweeps one), "status", or a final metric.
  auto swept_key_of = [&](const std::string& name) -> std::optional<std::string> {
    std::vector<std::string> unsectioned;
    for (const auto& k : swept_keys) {
      if (k == name || short_key(k) == name) return k;
      const auto dot = k.find('.');
      if (dot != std::string::npos && k.compare(dot + 1, std::string::npos, name) == 0) unsectioned.push_back(k);
    }
    if (unsectioned.size() > 1)
      throw ConfigError("'" + name + "' is ambiguous: " + unsectioned[0] + " or " + unsectioned[1] + " (write it in full)");
    if (unsectioned.size() == 1) return unsectioned[0];
    return std::nullopt;
  };
  auto unknown = [&](const std::string& what, const std::string& name) {
    std::vector<std::string> names{"status"};
    for (const auto& k : swept_keys) names.push_back(short_key(k));
    names.insert(names.end(), final_keys.begin(), final_keys.end());
    const std::string guess = did_you_mean(name, names);
    return ConfigError(what + ": no swept key or metric '" + name + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
  };

  // --where
  for (const auto& text : o.where) {
    const Condition c = parse_condition(text);
    const auto sk = swept_key_of(c.key);
    const bool is_metric = std::find(final_keys.begin(), final_keys.end(), c.key) != final_keys.end();
    if (!sk && !is_metric && c.key != "status") throw unknown("--where", c.key);
    const auto want = as_number(c.value);
    std::erase_if(flat, [&](const Flat& f) {
      std::optional<std::string> text_value;
      std::optional<double> num;
      if (c.key == "status") {
        text_value = f.run->status;
      } else if (sk) {
        for (const auto& [k, v] : f.swept)
          if (k == *sk) text_value = v, num = as_number(v);
      } else if (auto it = f.finals.find(c.key); it != f.finals.end()) {
        num = it->second;
      }
      if (num && want) return !compare(*num, c.op, *want);
      if (!text_value) return true;  // the run lacks the key: it does not match
      if (c.op == "=") return *text_value != c.value;
      if (c.op == "!=") return *text_value == c.value;
      throw ConfigError("--where '" + text + "': " + c.op + " needs numbers");
    });
  }

  // Metric columns.
  std::vector<std::string> metrics;
  if (o.metrics.empty()) {
    metrics = final_keys;
  } else {
    for (const auto& m : o.metrics) {
      bool found = false;
      for (const auto& k : final_keys)
        if (k == m || (m.size() > 1 && m.back() == '*' && k.rfind(m.substr(0, m.size() - 1), 0) == 0)) {
          if (std::find(metrics.begin(), metrics.end(), k) == metrics.end()) metrics.push_back(k);
          found = true;
        }
      if (!found) throw unknown("--metrics", m);
    }
  }

  if (!o.pivot.empty() && o.aggregate) throw ConfigError("--pivot already averages over seeds: drop --aggregate");
  if (!o.pivot.empty()) return pivot_table(flat, o.pivot, metrics, swept_keys, swept_key_of, unknown);

  ResultsTable t;
  std::vector<std::string> group_keys;
  for (const auto& k : swept_keys)
    if (!o.aggregate || k != "seed") group_keys.push_back(k);
  if (o.aggregate) {
    for (const auto& k : group_keys) t.columns.push_back(short_key(k));
    t.columns.push_back("runs");
    t.columns.push_back("failed");
    for (const auto& m : metrics) t.columns.push_back(m);
    // Groups in order of first appearance (the sweep order).
    std::vector<std::pair<std::vector<std::string>, std::vector<const Flat*>>> groups;
    for (const auto& f : flat) {
      std::vector<std::string> key;
      for (const auto& k : group_keys) {
        std::string v;
        for (const auto& [sk, sv] : f.swept)
          if (sk == k) v = sv;
        key.push_back(v);
      }
      auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
      if (it == groups.end()) groups.push_back({key, {&f}});
      else it->second.push_back(&f);
    }
    for (const auto& [key, members] : groups) {
      std::vector<Cell> row;
      for (const auto& v : key) row.push_back(Cell{v, as_number(v), {}, 0});
      std::int64_t ok = 0, failed = 0;
      for (const Flat* f : members) (f->run->status == "ok" ? ok : failed)++;
      row.push_back(Cell{std::to_string(ok), double(ok), {}, 0});
      row.push_back(Cell{std::to_string(failed), double(failed), {}, 0});
      for (const auto& m : metrics) {
        std::vector<double> xs;
        for (const Flat* f : members)
          if (auto it = f->finals.find(m); f->run->status == "ok" && it != f->finals.end()) xs.push_back(it->second);
        row.push_back(mean_cell(xs));
      }
      t.rows.push_back(std::move(row));
    }
  } else {
    t.columns = {"#", "run", "status"};
    for (const auto& k : group_keys) t.columns.push_back(short_key(k));
    for (const auto& m : metrics) t.columns.push_back(m);
    t.columns.push_back("time_s");
    for (const auto& f : flat) {
      const RunRecord& r = *f.run;
      std::vector<Cell> row{{std::to_string(r.index), double(r.index), {}, 0}, {r.id.substr(0, 12), {}, {}, 0}, {r.status, {}, {}, 0}};
      for (const auto& k : group_keys) {
        Cell c;
        for (const auto& [sk, sv] : f.swept)
          if (sk == k) c.text = sv, c.value = as_number(sv);
        row.push_back(c);
      }
      for (const auto& m : metrics) {
        Cell c;
        if (auto it = f.finals.find(m); it != f.finals.end()) c.text = format_metric(it->second), c.value = it->second;
        row.push_back(c);
      }
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.2f", r.end_time - r.start_time);
      row.push_back(Cell{secs, r.end_time - r.start_time, {}, 0});
      t.rows.push_back(std::move(row));
      if (r.status != "ok") t.footnotes.push_back("run " + r.id.substr(0, 12) + " " + r.status + ": " + r.error);
    }
  }

  // --sort: numbers before blanks; text cells by text.
  if (!o.sort.empty()) {
    const bool desc = o.sort[0] == '-';
    const std::string name = desc ? o.sort.substr(1) : o.sort;
    const auto sk = swept_key_of(name);
    const std::string col_name = sk ? short_key(*sk) : name;
    const auto col = std::find(t.columns.begin(), t.columns.end(), col_name);
    if (col == t.columns.end()) throw unknown("--sort", name);
    const auto c = std::size_t(col - t.columns.begin());
    std::stable_sort(t.rows.begin(), t.rows.end(), [&](const auto& a, const auto& b) {
      const Cell &x = a[c], &y = b[c];
      if (x.value && y.value) return desc ? *x.value > *y.value : *x.value < *y.value;
      if (x.value != y.value) return bool(x.value);  // a number before a blank
      return desc ? x.text > y.text : x.text < y.text;
    });
  }
  return t;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

std::string json_string(const std::string& s) {
  std::string q = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') q += '\\', q += ch;
    else if (ch == '\n') q += "\\n";
    else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      q += buf;
    } else q += ch;
  }
  return q + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void render_results_table(const ResultsTable& t, const std::string& format, std::ostream& out) {
  if (format == "csv") {
    // Aggregates become two columns, NAME and NAME_std, plus NAME_n.
    std::vector<std::string> head;
    std::vector<bool> agg(t.columns.size(), false);
    for (const auto& row : t.rows)
      for (std::size_t c = 0; c < row.size(); ++c) agg[c] = agg[c] || row[c].std.has_value();
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      head.push_back(csv_field(t.columns[c]));
      if (agg[c]) head.push_back(csv_field(t.columns[c] + "_std")), head.push_back(csv_field(t.columns[c] + "_n"));
    }
    for (std::size_t c = 0; c < head.size(); ++c) out << (c ? "," : "") << head[c];
    out << "\n";
    for (const auto& row : t.rows) {
      std::vector<std::string> cells;
      for (std::size_t c = 0; c < row.size(); ++c) {
        const Cell& x = row[c];
        cells.push_back(x.std ? json_number(*x.value) : csv_field(x.text));
        if (agg[c])
          cells.push_back(x.std && std::isfinite(*x.std) ? json_number(*x.std) : ""), cells.push_back(std::to_string(x.n));
      }
      for (std::size_t c = 0; c < cells.size(); ++c) out << (c ? "," : "") << cells[c];
      out << "\n";
    }
    return;
  }
  if (format == "json") {
    out << "[";
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      out << (r ? ",\n " : "\n ") << "{";
      for (std::size_t c = 0; c < t.columns.size(); ++c) {
        const Cell& x = t.rows[r][c];
        out << (c ? ", " : "") << json_string(t.columns[c]) << ": ";
        if (x.std)
          out << "{\"mean\": " << json_number(*x.value) << ", \"std\": " << json_number(*x.std) << ", \"n\": " << x.n << "}";
        else if (x.value && !x.text.empty() && as_number(x.text))
          out << json_number(*x.value);
        else if (x.text.empty() && !x.value)
          out << "null";
        else
          out << json_string(x.text);
      }
      out << "}";
    }
    out << "\n]\n";
    return;
  }
  if (format == "markdown") {  // for READMEs and reports: the table's texts, pipes escaped
    auto cell = [](std::string s) {
      for (std::size_t i = 0; (i = s.find('|', i)) != std::string::npos; i += 2) s.replace(i, 1, "\\|");
      return s;
    };
    out << "|";
    for (const auto& c : t.columns) out << " " << cell(c) << " |";
    out << "\n|";
    for (std::size_t c = 0; c < t.columns.size(); ++c) out << "---|";
    out << "\n";
    for (const auto& row : t.rows) {
      out << "|";
      for (const auto& x : row) out << " " << cell(x.text) << " |";
      out << "\n";
    }
    for (const auto& f : t.footnotes) out << "\n" << f << "\n";
    return;
  }
  // Display width: "±" is two bytes (0xC2 0xB1) and one column.
  auto shown = [](const std::string& s) { return s.size() - std::size_t(std::count(s.begin(), s.end(), '\xC2')); };
  std::vector<std::size_t> width(t.columns.size());
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    width[c] = shown(t.columns[c]);
    for (const auto& row : t.rows) width[c] = std::max(width[c], shown(row[c].text));
  }
  auto emit = [&](auto cell_text) {
    std::string line;
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      std::string cell = cell_text(c);
      cell.resize(width[c] + cell.size() - shown(cell), ' ');
      line += (c ? "  " : "") + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  emit([&](std::size_t c) { return t.columns[c]; });
  emit([&](std::size_t c) { return std::string(width[c], '-'); });
  for (const auto& row : t.rows) emit([&](std::size_t c) { return row[c].text; });
  for (const auto& f : t.footnotes) out << f << "\n";
}

}  // namespace genlab
