#pragma once
// Symbols of libgenlab that plugins use must stay visible even when a plugin is built with
// -fvisibility=hidden: exception types and interfaces need one type_info across libraries, or a
// catch / dynamic_cast in the host silently misses an object thrown or made in a plugin.
#define GENLAB_EXPORT __attribute__((visibility("default")))
