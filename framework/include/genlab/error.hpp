#pragma once
// The error hierarchy. Every message names what failed, where, and the offending value; the CLI prints
// the message (and any nested causes) as one line each and maps the type to an exit status.
#include <stdexcept>
#include <string>

#include "genlab/export.hpp"

namespace genlab {

class GENLAB_EXPORT Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  ~Error() override;
};

/// A bad experiment file, --set override or parameter value. Message starts with file:line:col.
class GENLAB_EXPORT ConfigError : public Error {
 public:
  using Error::Error;
  ~ConfigError() override;
};

/// A plugin library that cannot be used. Message starts with the library path.
class GENLAB_EXPORT PluginError : public Error {
 public:
  using Error::Error;
  ~PluginError() override;
};

/// Operands whose shapes do not fit an op. Message names the op and both shapes.
class GENLAB_EXPORT ShapeError : public Error {
 public:
  using Error::Error;
  ~ShapeError() override;
};

/// NaN/Inf where a finite number is required (a metric, a loss).
class GENLAB_EXPORT NumericalError : public Error {
 public:
  using Error::Error;
  ~NumericalError() override;
};

/// A capability that exists in the design but is not implemented (yet) or not offered by a component.
class GENLAB_EXPORT NotSupported : public Error {
 public:
  using Error::Error;
  ~NotSupported() override;
};

/// Reading or writing results failed (HDF5 error, rename failure, corrupt file).
class GENLAB_EXPORT IoError : public Error {
 public:
  using Error::Error;
  ~IoError() override;
};

/// Thrown inside a run when the user asked to stop (Ctrl-C); the run is recorded as interrupted.
class GENLAB_EXPORT Cancelled : public Error {
 public:
  using Error::Error;
  ~Cancelled() override;
};

/// Aborts with file and line: for programmer errors in hot code, never for user input.
[[noreturn]] GENLAB_EXPORT void assert_fail(const char* cond, const char* msg, const char* file, int line);

}  // namespace genlab

#define GENLAB_ASSERT(cond, msg) ((cond) ? (void)0 : ::genlab::assert_fail(#cond, (msg), __FILE__, __LINE__))
