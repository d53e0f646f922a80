# podlane_bpf_object(NAME SOURCE [DEFINES MACRO...]): compiles SOURCE with clang -target bpf
# (BTF kept: -g) into NAME.bpf.o, generates NAME.skel.h with bpftool (the
# object is embedded, so no .o path exists at deploy time), and defines the
# INTERFACE target bpf_NAME that puts the skeleton on the include path.
find_program(CLANG_BPF NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(PODLANE_BPF_FLAGS -target bpf -O2 -g -Wall -Wextra -Werror
    -I${CMAKE_SOURCE_DIR}/include -I${CMAKE_SOURCE_DIR}/bpf
    # Debian's multiarch asm/types.h, needed by the UAPI headers.
    -idirafter /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})

function(podlane_bpf_object name source)
  cmake_parse_arguments(PARSE_ARGV 2 ARG "" "" "DEFINES")
  set(defines)
  foreach(d IN LISTS ARG_DEFINES)
    list(APPEND defines -D${d})
  endforeach()
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  set(skel ${CMAKE_CURRENT_BINARY_DIR}/skel/${name}.skel.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CLANG_BPF} ${PODLANE_BPF_FLAGS} ${defines} -MD -MF ${obj}.d -c ${CMAKE_CURRENT_SOURCE_DIR}/${source} -o ${obj}
    DEPENDS ${source}
    DEPFILE ${obj}.d
    COMMENT "BPF ${source}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/skel
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}
    DEPENDS ${obj}
    COMMENT "skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(bpf_${name}_gen DEPENDS ${skel})
  add_library(bpf_${name} INTERFACE)
  add_dependencies(bpf_${name} bpf_${name}_gen)
  target_include_directories(bpf_${name} INTERFACE ${CMAKE_CURRENT_BINARY_DIR}/skel)
endfunction()
