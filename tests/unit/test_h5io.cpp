#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "genlab/error.hpp"
#include "h5io.hpp"

using namespace genlab;
namespace fs = std::filesystem;

namespace {
RunRecord sample_record() {
  RunRecord r;
  r.id = std::string(64, 'a');
  r.index = 3;
  r.status = "failed";
  r.error = "something went wrong: détail";
  r.experiment = "exp";
  r.component = "probe";
  r.plugin = "testkit";
  r.plugin_version = "0.0.1";
  r.seed = -4;
  r.start_time = 1.7e9;
  r.end_time = 1.7e9 + 2.5;
  r.config_yaml = "seed: -4\n";
  r.config_json = R"({"seed":-4})";
  r.swept_json = R"({"seed":-4})";
  r.host = "h";
  r.log = "line one\nline two\n";
  r.metrics.push_back({"loss", Series{{0, 1, 2}, {0.1, 0.2, 0.3}, {3.0, 2.0, 1.5}}});
  r.metrics.push_back({"a/b", Series{{5}, {0.5}, {-1}}});  // '/' cannot be an HDF5 name: stored as '|'
  r.metrics.push_back({"empty", Series{}});
  r.finals = {{"zeta", 1.25}, {"alpha", -3}};
  r.arrays.push_back({"samples", ArrayData{2, 3, {1, 2, 3, 4, 5, 6}}});
  return r;
}
fs::path scratch(const char* name) {
  const fs::path d = fs::temp_directory_path() / ("genlab_test_h5io_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d / name;
}
}  // namespace

TEST_CASE("a run file round-trips through the HDF5 C API", "[h5]") {
  const RunRecord w = sample_record();
  const auto path = scratch("run.h5").string();
  h5::write_run(path, w);
  CHECK_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));
  const RunRecord r = h5::read_run(path, true);
  CHECK(r.id == w.id);
  CHECK(r.index == 3);
  CHECK(r.status == "failed");
  CHECK(r.error == w.error);
  CHECK(r.seed == -4);
  CHECK(r.end_time - r.start_time == Approx(2.5));
  CHECK(r.config_yaml == w.config_yaml);
  CHECK(r.log == w.log);
  REQUIRE(r.metrics.size() == 3);
  CHECK(r.metrics[0].first == "loss");  // creation order kept
  CHECK(r.metrics[0].second.step == w.metrics[0].second.step);
  CHECK(r.metrics[0].second.value == w.metrics[0].second.value);
  CHECK(r.metrics[0].second.wall_time == w.metrics[0].second.wall_time);
  CHECK(r.metrics[1].first == "a|b");
  CHECK(r.metrics[2].second.value.empty());
  REQUIRE(r.finals.size() == 2);
  CHECK(r.finals[0] == std::make_pair(std::string("zeta"), 1.25));
  REQUIRE(r.arrays.size() == 1);
  CHECK(r.arrays[0].second.rows == 2);
  CHECK(r.arrays[0].second.data == w.arrays[0].second.data);
  const RunRecord brief = h5::read_run(path, false);
  CHECK(brief.metrics.empty());
  CHECK(brief.finals.size() == 2);
}

TEST_CASE("unreadable and foreign files give a clear IoError naming the file", "[h5]") {
  const auto garbage = scratch("garbage.h5").string();
  std::ofstream(garbage) << "not hdf5";
  CHECK_THROWS_WITH(h5::read_run(garbage, false), Catch::StartsWith(garbage) && Catch::Contains("not an HDF5 file"));

  // A truncated run file (as a crash mid-write would leave without the rename rule).
  const auto good = scratch("good.h5").string();
  h5::write_run(good, sample_record());
  const auto truncated = scratch("truncated.h5").string();
  fs::copy_file(good, truncated, fs::copy_options::overwrite_existing);
  fs::resize_file(truncated, fs::file_size(truncated) / 2);
  CHECK_THROWS_AS(h5::read_run(truncated, true), IoError);

  // An experiment index is not a run file.
  const auto index = scratch("experiment.h5").string();
  h5::write_index(index, ExperimentInfo{"exp", "x.yaml", "name: exp\n", "[]", "[]", "", "abc", 1}, {sample_record()});
  CHECK_THROWS_WITH(h5::read_run(index, false), Catch::Contains("not a genlab-run file"));
}

TEST_CASE("a checkpoint keeps its state, its config, its progress, its running time and where its attempt began",
          "[h5io]") {
  CheckpointRecord c;
  c.run_id = std::string(64, 'b');
  c.step = 1200;
  c.config_yaml = "seed: 1\nmodel:\n  name: made\n";
  c.config_json = R"({"seed":1,"model":{"name":"made"}})";
  c.state.push_back({"w", ArrayData{1, 3, {0.5, -1, 2}}});
  c.metrics.push_back({"loss", Series{{0, 600}, {1, 2}, {3, 2}}});
  c.progress = 0.4;
  c.elapsed_s = 5000;
  c.attempt_start_progress = 0.25;
  c.attempt_start_elapsed_s = 4000;
  const std::string path = scratch("checkpoint.h5").string();
  h5::write_checkpoint(path, c);
  const CheckpointRecord back = h5::read_checkpoint(path);
  CHECK(back.run_id == c.run_id);
  CHECK(back.step == 1200);
  CHECK(back.config_yaml == c.config_yaml);
  CHECK(back.config_json == c.config_json);
  REQUIRE(back.state.size() == 1);
  CHECK(back.state[0].second.data == c.state[0].second.data);
  CHECK(back.progress == 0.4);
  CHECK(back.elapsed_s == 5000);
  CHECK(back.attempt_start_progress == 0.25);
  CHECK(back.attempt_start_elapsed_s == 4000);
  fs::remove(path);
}
