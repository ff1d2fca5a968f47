#include "graph.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <numbers>
#include <sstream>
#include <string_view>

#include <genlab/error.hpp>

#include "union_find.hpp"

namespace genlab::graph {
namespace {

constexpr std::int64_t kMaxVertices = std::int64_t(std::numeric_limits<Vertex>::max());

void check_n(std::int64_t n) {
  if (n < 0 || n > kMaxVertices) throw Error("graph: vertex count " + std::to_string(n) + " out of range [0, 2^32-1]");
}

// ---- text parsing: whole file in memory, one line at a time, fields split on blanks ----

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open graph file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct LineReader {
  std::string_view text;
  std::size_t pos = 0;
  std::int64_t line_no = 0;
  bool next(std::string_view& line) {
    if (pos >= text.size()) return false;
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    ++line_no;
    return true;
  }
};

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

struct Where {
  const std::string& path;
  std::int64_t line;
  std::string str() const { return path + ":" + std::to_string(line); }
};

std::int64_t parse_int(std::string_view f, const char* what, const Where& at) {
  std::int64_t x = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), x);
  if (ec != std::errc() || p != f.data() + f.size())
    throw Error(at.str() + ": " + what + " '" + std::string(f) + "' is not an integer");
  return x;
}

double parse_weight(std::string_view f, const Where& at) {
  double x = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), x);
  if (ec != std::errc() || p != f.data() + f.size())
    throw Error(at.str() + ": weight '" + std::string(f) + "' is not a number");
  if (std::isnan(x)) throw Error(at.str() + ": weight is NaN");
  if (!std::isfinite(x)) throw Error(at.str() + ": weight '" + std::string(f) + "' is not finite");
  return x;
}

Vertex parse_vertex(std::string_view f, std::int64_t base, std::int64_t n, const Where& at) {
  const std::int64_t x = parse_int(f, "vertex", at) - base;
  if (x < 0 || (n >= 0 && x >= n) || x > kMaxVertices - 1)
    throw Error(at.str() + ": vertex " + std::string(f) + " out of range " +
                (n >= 0 ? "[" + std::to_string(base) + ", " + std::to_string(n - 1 + base) + "]"
                        : "(negative or >= 2^32-1)"));
  return Vertex(x);
}

// A file whose count line disagrees with its body: the header was wrong or the file is cut short.
void check_declared_count(const std::string& path, const char* declarer, const char* what, std::int64_t declared,
                          std::size_t found) {
  if (std::int64_t(found) == declared) return;
  throw Error(path + ": " + declarer + " declares " + std::to_string(declared) + " " + what + ", the file has " +
              std::to_string(found) + (std::int64_t(found) < declared ? " (truncated?)" : ""));
}

}  // namespace

Graph gnm(std::int64_t n, std::int64_t m, const WeightSpec& ws, Rng& rng) {
  check_n(n);
  if (m > 0 && n < 2) throw Error("graph: G(n, m) with m > 0 needs n >= 2, got n = " + std::to_string(n));
  Graph g{n, {}};
  g.edges.resize(std::size_t(m));
  for (Edge& e : g.edges) {
    e.u = Vertex(rng.below(std::uint64_t(n)));
    e.v = Vertex(rng.below(std::uint64_t(n - 1)));
    if (e.v >= e.u) ++e.v;  // uniform over the other n-1 vertices: no self-loops
    e.w = ws.draw(rng);
  }
  return g;
}

Graph grid(std::int64_t n, const WeightSpec& ws, Rng& rng) {
  check_n(n);
  Graph g{n, {}};
  if (n == 0) return g;
  const auto width = std::max<std::int64_t>(1, std::llround(std::sqrt(double(n))));
  g.edges.reserve(std::size_t(2 * n));
  for (std::int64_t v = 0; v < n; ++v) {
    if ((v + 1) % width != 0 && v + 1 < n) g.edges.push_back({Vertex(v), Vertex(v + 1), ws.draw(rng)});
    if (v + width < n) g.edges.push_back({Vertex(v), Vertex(v + width), ws.draw(rng)});
  }
  return g;
}

Graph geometric(std::int64_t n, std::int64_t m, const WeightSpec& ws, Rng& rng) {
  check_n(n);
  Graph g{n, {}};
  if (n < 2) return g;
  std::vector<double> x(static_cast<std::size_t>(n)), y(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) x[std::size_t(i)] = rng.uniform(), y[std::size_t(i)] = rng.uniform();
  // Expected pairs within r (ignoring the border) is C(n,2) * pi r^2 = m.
  const double r = std::sqrt(double(m) / (std::numbers::pi * 0.5 * double(n) * double(n - 1)));
  const auto cells = std::max<std::int64_t>(1, std::min<std::int64_t>(std::int64_t(1.0 / std::max(r, 1e-9)), 1 << 15));
  auto cell_of = [&](double c) { return std::min<std::int64_t>(cells - 1, std::int64_t(c * double(cells))); };
  // Bucket the points by cell (counting sort), then compare each point with the 3x3 cells around it.
  std::vector<std::int64_t> start(std::size_t(cells * cells + 1), 0), order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) ++start[std::size_t(cell_of(y[i]) * cells + cell_of(x[i]) + 1)];
  for (std::size_t c = 1; c < start.size(); ++c) start[c] += start[c - 1];
  {
    std::vector<std::int64_t> fill(start.begin(), start.end() - 1);
    for (std::int64_t i = 0; i < n; ++i) order[std::size_t(fill[std::size_t(cell_of(y[i]) * cells + cell_of(x[i]))]++)] = i;
  }
  g.edges.reserve(std::size_t(m + m / 8));
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t cx = cell_of(x[i]), cy = cell_of(y[i]);
    for (std::int64_t dy = -1; dy <= 1; ++dy)
      for (std::int64_t dx = -1; dx <= 1; ++dx) {
        const std::int64_t ux = cx + dx, uy = cy + dy;
        if (ux < 0 || uy < 0 || ux >= cells || uy >= cells) continue;
        const std::int64_t c = uy * cells + ux;
        for (std::int64_t k = start[std::size_t(c)]; k < start[std::size_t(c + 1)]; ++k) {
          const std::int64_t j = order[std::size_t(k)];
          if (j <= i) continue;  // each pair once
          const double d = std::hypot(x[i] - x[j], y[i] - y[j]);
          if (d < r) g.edges.push_back({Vertex(i), Vertex(j), ws.levels > 0 ? ws.draw(rng) : d});
        }
      }
  }
  return g;
}

Graph read_edge_list(const std::string& path) {
  const std::string text = slurp(path);
  LineReader lr{text};
  std::string_view line;
  Graph g;
  std::int64_t declared_n = -1, declared_m = -1, max_vertex = -1;
  bool first = true;
  while (lr.next(line)) {
    const std::size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    const auto f = fields(line);
    if (f.empty()) continue;
    const Where at{path, lr.line_no};
    if (first && f.size() == 2) {  // header "n m"
      declared_n = parse_int(f[0], "vertex count", at);
      declared_m = parse_int(f[1], "edge count", at);
      check_n(declared_n);
      if (declared_m < 0) throw Error(at.str() + ": negative edge count");
      g.edges.reserve(std::size_t(declared_m));
      first = false;
      continue;
    }
    first = false;
    if (f.size() != 3)
      throw Error(at.str() + ": expected 'u v w' (3 fields), got " + std::to_string(f.size()) +
                  (f.size() < 3 ? " (truncated line?)" : ""));
    Edge e;
    e.u = parse_vertex(f[0], 0, declared_n, at);
    e.v = parse_vertex(f[1], 0, declared_n, at);
    e.w = parse_weight(f[2], at);
    max_vertex = std::max<std::int64_t>(max_vertex, std::max(e.u, e.v));
    g.edges.push_back(e);
  }
  if (declared_m >= 0) check_declared_count(path, "the header", "edges", declared_m, g.edges.size());
  g.n = declared_n >= 0 ? declared_n : max_vertex + 1;
  return g;
}

Graph read_dimacs(const std::string& path) {
  const std::string text = slurp(path);
  LineReader lr{text};
  std::string_view line;
  Graph g;
  std::int64_t declared_m = -1;
  bool have_problem = false;
  while (lr.next(line)) {
    const auto f = fields(line);
    if (f.empty() || f[0] == "c") continue;
    const Where at{path, lr.line_no};
    if (f[0] == "p") {
      if (have_problem) throw Error(at.str() + ": a second 'p' line");
      if (f.size() != 4 || f[1] != "sp") throw Error(at.str() + ": expected 'p sp n m'");
      g.n = parse_int(f[2], "vertex count", at);
      declared_m = parse_int(f[3], "arc count", at);
      check_n(g.n);
      if (declared_m < 0) throw Error(at.str() + ": negative arc count");
      g.edges.reserve(std::size_t(declared_m));
      have_problem = true;
    } else if (f[0] == "a") {
      if (!have_problem) throw Error(at.str() + ": arc before the 'p sp n m' line");
      if (f.size() != 4)
        throw Error(at.str() + ": expected 'a u v w' (4 fields), got " + std::to_string(f.size()) +
                    (f.size() < 4 ? " (truncated line?)" : ""));
      g.edges.push_back({parse_vertex(f[1], 1, g.n, at), parse_vertex(f[2], 1, g.n, at), parse_weight(f[3], at)});
    } else {
      throw Error(at.str() + ": unknown line type '" + std::string(f[0]) + "' (expected c, p or a)");
    }
  }
  if (!have_problem) throw Error(path + ": no 'p sp n m' line (not a DIMACS .gr file?)");
  check_declared_count(path, "the 'p' line", "arcs", declared_m, g.edges.size());
  return g;
}

Graph read_graph_file(const std::string& path) {
  return path.size() >= 3 && path.compare(path.size() - 3, 3, ".gr") == 0 ? read_dimacs(path) : read_edge_list(path);
}

std::int64_t count_components(const Graph& g) {
  UnionFind uf(static_cast<std::size_t>(g.n));
  std::int64_t c = g.n;
  for (const Edge& e : g.edges) c -= uf.unite(e.u, e.v);
  return c;
}

}  // namespace genlab::graph
