#include "h5io.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <mutex>

#include "crash_point.hpp"
#include "genlab/error.hpp"
#include "genlab/version.hpp"

namespace genlab::h5 {
namespace {

std::mutex& h5_mutex() {
  static std::mutex m;
  return m;
}

// RAII for hid_t handles.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  operator hid_t() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

struct Ctx {
  std::string file;
  void check(herr_t rc, const std::string& what) const {
    if (rc < 0) throw IoError(file + ": HDF5 failed to " + what);
  }
  hid_t check_id(hid_t id, const std::string& what) const {
    if (id < 0) throw IoError(file + ": HDF5 failed to " + what);
    return id;
  }
};

void silence_hdf5() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

hid_t string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

void attr_string(const Ctx& c, hid_t obj, const char* name, const std::string& value) {
  Handle type(string_type(), H5Tclose);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(
      c.check_id(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), std::string("create attribute ") + name),
      H5Aclose);
  const char* p = value.c_str();
  c.check(H5Awrite(a, type, &p), std::string("write attribute ") + name);
}

template <class T>
void attr_number(const Ctx& c, hid_t obj, const char* name, T value) {
  const hid_t mem = std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(
      c.check_id(H5Acreate2(obj, name, mem, space, H5P_DEFAULT, H5P_DEFAULT), std::string("create attribute ") + name),
      H5Aclose);
  c.check(H5Awrite(a, mem, &value), std::string("write attribute ") + name);
}

std::string read_attr_string(const Ctx& c, hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) throw IoError(c.file + ": missing attribute '" + name + "'");
  Handle a(c.check_id(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name), H5Aclose);
  Handle type(string_type(), H5Tclose);
  char* p = nullptr;
  c.check(H5Aread(a, type, &p), std::string("read attribute ") + name);
  std::string out = p ? p : "";
  H5free_memory(p);
  return out;
}

template <class T>
T read_attr_number(const Ctx& c, hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) throw IoError(c.file + ": missing attribute '" + name + "'");
  Handle a(c.check_id(H5Aopen(obj, name, H5P_DEFAULT), std::string("open attribute ") + name), H5Aclose);
  T v{};
  c.check(H5Aread(a, std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, &v),
          std::string("read attribute ") + name);
  return v;
}

hid_t make_group(const Ctx& c, hid_t parent, const std::string& name) {
  // Creation order tracked so readers can list metrics in the order they were logged.
  Handle gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
  H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  return c.check_id(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT), "create group " + name);
}

template <class T>
void dataset_1d(const Ctx& c, hid_t parent, const std::string& name, const std::vector<T>& v) {
  const hid_t mem = std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
  const hid_t file_type = std::is_same_v<T, double> ? H5T_IEEE_F64LE : H5T_STD_I64LE;
  hsize_t dims[1] = {v.size()};
  Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Handle d(c.check_id(H5Dcreate2(parent, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      "create dataset " + name),
           H5Dclose);
  if (!v.empty()) c.check(H5Dwrite(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "write dataset " + name);
}

void dataset_strings(const Ctx& c, hid_t parent, const std::string& name, const std::vector<std::string>& v) {
  std::vector<const char*> ptrs;
  for (const auto& s : v) ptrs.push_back(s.c_str());
  hsize_t dims[1] = {v.size()};
  Handle type(string_type(), H5Tclose);
  Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Handle d(c.check_id(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      "create dataset " + name),
           H5Dclose);
  if (!v.empty()) c.check(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "write dataset " + name);
}

template <class T>
std::vector<T> read_1d(const Ctx& c, hid_t parent, const std::string& name) {
  Handle d(c.check_id(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "open dataset " + name), H5Dclose);
  Handle space(H5Dget_space(d), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0) throw IoError(c.file + ": bad dataspace for " + name);
  std::vector<T> v(static_cast<std::size_t>(n));
  if (n > 0)
    c.check(H5Dread(d, std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                    v.data()),
            "read dataset " + name);
  return v;
}

std::vector<std::string> child_names(const Ctx& c, hid_t group) {
  H5G_info_t info;
  c.check(H5Gget_info(group, &info), "list group");
  std::vector<std::string> out;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len = H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0) {  // group without creation order: fall back to name order
      const ssize_t l2 = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      std::string s(static_cast<std::size_t>(l2), '\0');
      H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size() + 1, H5P_DEFAULT);
      out.push_back(s);
      continue;
    }
    std::string s(static_cast<std::size_t>(len), '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, s.data(), s.size() + 1, H5P_DEFAULT);
    out.push_back(s);
  }
  return out;
}

// HDF5 link names may not contain '/' and should not be "." : keep metric names safe.
std::string safe_name(const std::string& n) {
  std::string s = n;
  for (char& ch : s)
    if (ch == '/') ch = '|';
  return s == "." || s.empty() ? "_" + s : s;
}

std::string tmp_path_for(const std::string& path) {
  return path + ".tmp." + std::to_string(getpid());
}

void publish(const std::string& tmp, const std::string& path, const char* crash_name) {
  crash_point(crash_name);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw IoError(path + ": cannot rename the finished file into place");
  }
}

double now_unix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void write_metrics(const Ctx& c, hid_t f, const std::vector<std::pair<std::string, Series>>& metrics) {
  Handle g(make_group(c, f, "metrics"), H5Gclose);
  for (const auto& [name, s] : metrics) {
    Handle m(make_group(c, g, safe_name(name)), H5Gclose);
    dataset_1d(c, m, "step", s.step);
    dataset_1d(c, m, "wall_time", s.wall_time);
    dataset_1d(c, m, "value", s.value);
  }
}

void write_finals(const Ctx& c, hid_t f, const std::vector<std::pair<std::string, double>>& finals) {
  Handle g(make_group(c, f, "final"), H5Gclose);
  for (const auto& [name, v] : finals) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle d(
        c.check_id(H5Dcreate2(g, safe_name(name).c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   "create final " + name),
        H5Dclose);
    c.check(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v), "write final " + name);
  }
}

void write_arrays(const Ctx& c, hid_t f, const char* group,
                  const std::vector<std::pair<std::string, ArrayData>>& arrays) {
  Handle g(make_group(c, f, group), H5Gclose);
  for (const auto& [name, a] : arrays) {
    hsize_t dims[2] = {static_cast<hsize_t>(a.rows), static_cast<hsize_t>(a.cols)};
    Handle space(H5Screate_simple(2, dims, nullptr), H5Sclose);
    Handle d(
        c.check_id(H5Dcreate2(g, safe_name(name).c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   "create array " + name),
        H5Dclose);
    if (!a.data.empty())
      c.check(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.data.data()), "write array " + name);
  }
}

std::vector<std::pair<std::string, double>> read_finals(const Ctx& c, hid_t f) {
  std::vector<std::pair<std::string, double>> out;
  Handle g(c.check_id(H5Gopen2(f, "final", H5P_DEFAULT), "open /final"), H5Gclose);
  for (const auto& name : child_names(c, g)) {
    Handle d(c.check_id(H5Dopen2(g, name.c_str(), H5P_DEFAULT), "open final " + name), H5Dclose);
    double v = 0;
    c.check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v), "read final " + name);
    out.emplace_back(name, v);
  }
  return out;
}

std::vector<std::pair<std::string, Series>> read_metrics(const Ctx& c, hid_t f) {
  std::vector<std::pair<std::string, Series>> out;
  Handle g(c.check_id(H5Gopen2(f, "metrics", H5P_DEFAULT), "open /metrics"), H5Gclose);
  for (const auto& name : child_names(c, g)) {
    Handle m(c.check_id(H5Gopen2(g, name.c_str(), H5P_DEFAULT), "open metric " + name), H5Gclose);
    Series s;
    s.step = read_1d<std::int64_t>(c, m, "step");
    s.wall_time = read_1d<double>(c, m, "wall_time");
    s.value = read_1d<double>(c, m, "value");
    if (s.wall_time.size() != s.step.size() || s.value.size() != s.step.size())
      throw IoError(c.file + ": metric " + name + " has columns of different lengths");
    out.emplace_back(name, std::move(s));
  }
  return out;
}

std::vector<std::pair<std::string, ArrayData>> read_arrays(const Ctx& c, hid_t f, const char* group) {
  std::vector<std::pair<std::string, ArrayData>> out;
  Handle g(c.check_id(H5Gopen2(f, group, H5P_DEFAULT), std::string("open /") + group), H5Gclose);
  for (const auto& name : child_names(c, g)) {
    Handle d(c.check_id(H5Dopen2(g, name.c_str(), H5P_DEFAULT), "open array " + name), H5Dclose);
    Handle space(H5Dget_space(d), H5Sclose);
    hsize_t dims[2] = {0, 0};
    if (H5Sget_simple_extent_ndims(space) != 2) throw IoError(c.file + ": array " + name + " is not 2-D");
    H5Sget_simple_extent_dims(space, dims, nullptr);
    ArrayData a;
    a.rows = static_cast<std::int64_t>(dims[0]);
    a.cols = static_cast<std::int64_t>(dims[1]);
    a.data.resize(dims[0] * dims[1]);
    if (!a.data.empty())
      c.check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.data.data()), "read array " + name);
    out.emplace_back(name, std::move(a));
  }
  return out;
}

// Writes a genlab file atomically: NAME.tmp.PID is created, filled by `body`, flushed, closed and renamed
// over NAME. Every file carries `kind` and `layout_version` at its root.
template <class Body>
void write_atomically(const std::string& path, const char* kind, const char* crash_name, Body body) {
  std::lock_guard<std::mutex> lock(h5_mutex());
  silence_hdf5();
  const std::string tmp = tmp_path_for(path);
  Ctx c{tmp};
  {
    Handle f(c.check_id(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create file"), H5Fclose);
    attr_string(c, f, "kind", kind);
    attr_number<std::int64_t>(c, f, "layout_version", kResultsLayoutVersion);
    body(c, f);
    c.check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
  }
  publish(tmp, path, crash_name);
}

// Opens a genlab file for reading and checks its kind and layout version; the caller holds h5_mutex().
hid_t open_for_read(const Ctx& c, const char* kind) {
  silence_hdf5();
  if (H5Fis_hdf5(c.file.c_str()) <= 0) throw IoError(c.file + ": not an HDF5 file (or unreadable)");
  const hid_t f = c.check_id(H5Fopen(c.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open file");
  try {
    if (H5Aexists(f, "kind") <= 0 || read_attr_string(c, f, "kind") != kind)
      throw IoError(c.file + ": not a " + std::string(kind) + " file (no kind = " + kind + " attribute)");
    const auto layout = read_attr_number<std::int64_t>(c, f, "layout_version");
    if (layout > kResultsLayoutVersion)
      throw IoError(c.file + ": written with results layout v" + std::to_string(layout) +
                    " by a newer genlab; this genlab reads up to v" + std::to_string(kResultsLayoutVersion));
  } catch (...) {
    H5Fclose(f);
    throw;
  }
  return f;
}

}  // namespace

void write_run(const std::string& path, const RunRecord& r) {
  write_atomically(path, "genlab-run", "run.before_rename", [&](const Ctx& c, hid_t f) {
    attr_string(c, f, "genlab_version", kVersion);
    attr_string(c, f, "run_id", r.id);
    attr_number<std::int64_t>(c, f, "index", r.index);
    attr_string(c, f, "status", r.status);
    attr_string(c, f, "error", r.error);
    attr_string(c, f, "experiment", r.experiment);
    attr_string(c, f, "component", r.component);
    attr_string(c, f, "plugin", r.plugin);
    attr_string(c, f, "plugin_version", r.plugin_version);
    attr_number<std::int64_t>(c, f, "seed", r.seed);
    attr_number<double>(c, f, "start_time", r.start_time);
    attr_number<double>(c, f, "end_time", r.end_time);
    attr_string(c, f, "host", r.host);
    attr_string(c, f, "swept", r.swept_json);
    attr_string(c, f, "log", r.log);
    if (!r.model_export.empty()) attr_string(c, f, "model_export", r.model_export);
    {
      Handle g(make_group(c, f, "config"), H5Gclose);
      attr_string(c, g, "yaml", r.config_yaml);
      attr_string(c, g, "json", r.config_json);
    }
    write_metrics(c, f, r.metrics);
    write_finals(c, f, r.finals);
    write_arrays(c, f, "arrays", r.arrays);
  });
}

RunRecord read_run(const std::string& path, bool full) {
  std::lock_guard<std::mutex> lock(h5_mutex());
  Ctx c{path};
  Handle f(open_for_read(c, "genlab-run"), H5Fclose);
  RunRecord r;
  r.id = read_attr_string(c, f, "run_id");
  r.index = read_attr_number<std::int64_t>(c, f, "index");
  r.status = read_attr_string(c, f, "status");
  r.error = read_attr_string(c, f, "error");
  r.experiment = read_attr_string(c, f, "experiment");
  r.component = read_attr_string(c, f, "component");
  r.plugin = read_attr_string(c, f, "plugin");
  r.plugin_version = read_attr_string(c, f, "plugin_version");
  r.seed = read_attr_number<std::int64_t>(c, f, "seed");
  r.start_time = read_attr_number<double>(c, f, "start_time");
  r.end_time = read_attr_number<double>(c, f, "end_time");
  r.host = read_attr_string(c, f, "host");
  r.swept_json = read_attr_string(c, f, "swept");
  r.log = read_attr_string(c, f, "log");
  if (H5Aexists(f, "model_export") > 0) r.model_export = read_attr_string(c, f, "model_export");
  {
    Handle g(c.check_id(H5Gopen2(f, "config", H5P_DEFAULT), "open /config"), H5Gclose);
    r.config_yaml = read_attr_string(c, g, "yaml");
    r.config_json = read_attr_string(c, g, "json");
  }
  r.finals = read_finals(c, f);
  if (!full) return r;
  r.metrics = read_metrics(c, f);
  r.arrays = read_arrays(c, f, "arrays");
  return r;
}

void write_checkpoint(const std::string& path, const CheckpointRecord& r) {
  write_atomically(path, "genlab-checkpoint", "checkpoint.before_rename", [&](const Ctx& c, hid_t f) {
    attr_string(c, f, "run_id", r.run_id);
    attr_number<std::int64_t>(c, f, "step", r.step);
    attr_string(c, f, "log", r.log);
    attr_string(c, f, "config_yaml", r.config_yaml);
    attr_string(c, f, "config_json", r.config_json);
    attr_number<double>(c, f, "progress", r.progress);
    attr_number<double>(c, f, "elapsed_s", r.elapsed_s);
    attr_number<double>(c, f, "attempt_start_progress", r.attempt_start_progress);
    attr_number<double>(c, f, "attempt_start_elapsed_s", r.attempt_start_elapsed_s);
    write_arrays(c, f, "state", r.state);
    write_metrics(c, f, r.metrics);
    write_finals(c, f, r.finals);
    write_arrays(c, f, "arrays", r.arrays);
  });
}

CheckpointRecord read_checkpoint(const std::string& path, bool full) {
  std::lock_guard<std::mutex> lock(h5_mutex());
  Ctx c{path};
  Handle f(open_for_read(c, "genlab-checkpoint"), H5Fclose);
  CheckpointRecord r;
  r.run_id = read_attr_string(c, f, "run_id");
  r.step = read_attr_number<std::int64_t>(c, f, "step");
  r.log = read_attr_string(c, f, "log");
  if (H5Aexists(f, "config_yaml") > 0) r.config_yaml = read_attr_string(c, f, "config_yaml");
  if (H5Aexists(f, "config_json") > 0) r.config_json = read_attr_string(c, f, "config_json");
  if (H5Aexists(f, "progress") > 0) r.progress = read_attr_number<double>(c, f, "progress");
  if (H5Aexists(f, "elapsed_s") > 0) r.elapsed_s = read_attr_number<double>(c, f, "elapsed_s");
  if (H5Aexists(f, "attempt_start_progress") > 0)
    r.attempt_start_progress = read_attr_number<double>(c, f, "attempt_start_progress");
  if (H5Aexists(f, "attempt_start_elapsed_s") > 0)
    r.attempt_start_elapsed_s = read_attr_number<double>(c, f, "attempt_start_elapsed_s");
  if (full) r.state = read_arrays(c, f, "state");
  r.metrics = read_metrics(c, f);
  r.finals = read_finals(c, f);
  if (full) r.arrays = read_arrays(c, f, "arrays");
  return r;
}

void write_index(const std::string& path, const ExperimentInfo& info, const std::vector<RunRecord>& runs) {
  write_atomically(path, "genlab-experiment", "index.before_rename", [&](const Ctx& c, hid_t f) {
    attr_string(c, f, "genlab_version", kVersion);
    attr_string(c, f, "git_commit", info.git_commit);
    attr_string(c, f, "experiment", info.name);
    attr_string(c, f, "source_path", info.source_path);
    attr_string(c, f, "yaml", info.yaml_text);
    attr_string(c, f, "overrides", info.overrides_json);
    attr_string(c, f, "swept_keys", info.swept_keys_json);
    attr_string(c, f, "plugins", info.plugins_text);
    attr_number<std::int64_t>(c, f, "planned_runs", info.planned_runs);
    attr_number<double>(c, f, "updated_time", now_unix());
    Handle g(make_group(c, f, "runs"), H5Gclose);
    std::vector<std::string> id, status, error, swept, file;
    std::vector<std::int64_t> index, seed;
    std::vector<double> start, end;
    std::vector<std::string> final_names;
    for (const auto& r : runs) {
      id.push_back(r.id);
      status.push_back(r.status);
      error.push_back(r.error);
      swept.push_back(r.swept_json);
      file.push_back("runs/" + r.id.substr(0, 16) + ".h5");
      index.push_back(r.index);
      seed.push_back(r.seed);
      start.push_back(r.start_time);
      end.push_back(r.end_time);
      for (const auto& [n, v] : r.finals)
        if (std::find(final_names.begin(), final_names.end(), n) == final_names.end()) final_names.push_back(n);
    }
    dataset_strings(c, g, "id", id);
    dataset_1d(c, g, "index", index);
    dataset_strings(c, g, "status", status);
    dataset_strings(c, g, "error", error);
    dataset_strings(c, g, "swept", swept);
    dataset_strings(c, g, "file", file);
    dataset_1d(c, g, "seed", seed);
    dataset_1d(c, g, "start_time", start);
    dataset_1d(c, g, "end_time", end);
    Handle fg(make_group(c, g, "final"), H5Gclose);
    for (const auto& n : final_names) {
      std::vector<double> col;
      for (const auto& r : runs) {
        double v = std::numeric_limits<double>::quiet_NaN();
        for (const auto& [k, x] : r.finals)
          if (k == n) v = x;
        col.push_back(v);
      }
      dataset_1d(c, fg, n, col);
    }
  });
}

}  // namespace genlab::h5
