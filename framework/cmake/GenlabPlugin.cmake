# genlab_add_plugin(NAME SOURCES file.cpp... [LIBS target...] [OUTPUT_DIR dir])
# Builds plugin NAME as genlab_NAME.so, a MODULE linked against libgenlab. Symbols are hidden except the
# entry point that GENLAB_PLUGIN exports, so two plugins never clash on internal names.
function(genlab_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "genlab_add_plugin(${name}): SOURCES is required")
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${GENLAB_PLUGIN_DIR})
  endif()
  set(target genlab_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  target_link_libraries(${target} PRIVATE genlab::core ${ARG_LIBS})
  set_property(GLOBAL APPEND PROPERTY GENLAB_PLUGIN_TARGETS ${target})
  if(GENLAB_INSTALL_PLUGINS)
    # In-tree plugins install beside the executable's ../lib/genlab/plugins, where genlab looks.
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN/../..")
    install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/genlab/plugins)
  endif()
endfunction()
