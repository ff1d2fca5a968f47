#pragma once
// The runs table as data: filtered (--where), aggregated over seeds (--aggregate), sorted (--sort), with
// chosen metric columns (--metrics), rendered as an aligned table, CSV or JSON. `genlab show` and the end
// of `genlab run` print through here.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "run_record.hpp"

namespace genlab {

struct ShowOptions {
  bool aggregate = false;            ///< one row per setting of the swept keys other than the seed
  std::vector<std::string> metrics;  ///< final metrics to show; empty = all; "prefix*" matches by prefix
  std::string sort;                  ///< a column to sort by; a leading '-' sorts descending
  std::vector<std::string> where;    ///< "key=value", "key!=value", "metric<3.5" (=, !=, <, <=, >, >=)
  std::string format = "table";      ///< table | csv | json | markdown
  /// "ROW_KEY:COL_KEY[,COL_KEY...]": one metric as a grid, a row per value of ROW_KEY, a column per
  /// combination of the COL_KEYs, each cell mean ± std over the ok runs (the seeds). Empty: no pivot.
  std::string pivot;
};

/// A cell: text for keys and labels, or a number (for an aggregate, mean and sample std over n runs).
struct Cell {
  std::string text;
  std::optional<double> value;
  std::optional<double> std;  ///< aggregates only
  std::int64_t n = 0;          ///< aggregates: runs with this metric
};

struct ResultsTable {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::vector<std::string> footnotes;  ///< failed runs' errors
};

/// A metric as the tables show it ("%.6g").
std::string format_metric(double v);

/// Builds the table. Throws ConfigError for a malformed --where / --sort / --format or an unknown key.
ResultsTable build_results_table(const std::vector<RunRecord>& runs, const ShowOptions& o);
void render_results_table(const ResultsTable& t, const std::string& format, std::ostream& out);

}  // namespace genlab
