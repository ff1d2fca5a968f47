#pragma once
#include <cstdint>

namespace genlab {

/// Version of the genlab runtime (printed by `genlab --version`, stored in every results file).
inline constexpr const char* kVersion = "0.1.0";

/// Plugin ABI version. Bump it whenever a public header changes the layout or virtual interface of a
/// type that crosses the plugin boundary (Value, Schema, RunContext, Algorithm, Registrar, descriptor).
inline constexpr std::uint32_t kAbiVersion = 9;  // 3: DataSplits carries a BatchTransform; 4: Model::inpaint, estimates;
                                                 // 5: ParamSpec::keeps_ids_at_default, Structure parameters;
                                                 // 6: Model::initialize, inpaint_method, begin_epoch, test_metrics;
                                                 //    nn::Parameter::frozen; 7: Model::export_model,
                                                 //    RunContext::set_model_export; 8: nn::MaskedLinear
                                                 //    degrees, linalg::ConstView / Epilogue DegreeMask;
                                                 // 9: nn::MaskedLinear mask conditioning (a member U)

/// Version of the HDF5 results layout (root attribute `layout_version` of every file genlab writes).
inline constexpr std::int64_t kResultsLayoutVersion = 1;

}  // namespace genlab
