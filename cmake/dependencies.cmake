# Every dependency comes from Debian's packages (see scripts/deps.sh) as an imported target.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2)
find_package(CURL 7.88 REQUIRED)
# libcrypto: the Git source verifies server certificates against a Secret's CA and hashes known_hosts.
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
find_package(RapidJSON REQUIRED)
find_package(yaml-cpp REQUIRED)
# RE2: patterns from repositories (kustomize targets, image names) match in linear time.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# libyaml: the event parser counts a YAML file against the budgets before yaml-cpp builds its graph.
pkg_check_modules(LIBYAML REQUIRED IMPORTED_TARGET yaml-0.1)
# OpenPGP signature verification (commit and tag signatures).
pkg_check_modules(GPGME REQUIRED IMPORTED_TARGET gpgme)
# Asio, Beast and System are header-only in 1.81.
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS headers)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)

# Debian's RapidJSON config exports only include directories; wrap them in a target.
if(NOT TARGET gitopsd::rapidjson)
  add_library(gitopsd::rapidjson INTERFACE IMPORTED)
  target_include_directories(gitopsd::rapidjson INTERFACE ${RapidJSON_INCLUDE_DIRS} ${RAPIDJSON_INCLUDE_DIRS})
  target_compile_definitions(gitopsd::rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
  # Smaller first memory-pool chunks for every Document (see the header for why).
  target_compile_options(gitopsd::rapidjson INTERFACE
    "SHELL:-include ${CMAKE_CURRENT_LIST_DIR}/../include/gitopsd/core/rapidjson_config.hpp")
endif()
