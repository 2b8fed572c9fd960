# Where an installed sot-intake lives (GNUInstallDirs; the Debian package installs to /usr):
#   /usr/bin/sot-intake, /usr/bin/sot-intaked
#   /etc/sot-intake/sot-intake.toml, rules.toml     the court's editable copies (conffiles),
#                   trust/ intermediates/ crl/       its NCA trust anchors, intermediates, CRLs
#   /usr/share/sot-intake/                          the shipped defaults, to compare or go back to
#   /lib/systemd/system/sot-intaked.service, /usr/lib/sysusers.d, /usr/lib/tmpfiles.d
#   /var/spool/sot-intake (spool), /var/lib/sot-intake (registry)  made by tmpfiles.d
#   /usr/share/doc/sot-intake, /usr/share/man                       README, example, man pages
# The binaries carry their defaults compiled in (config and rules are embedded): nothing of
# the build tree is looked up at run time.
include(GNUInstallDirs)

install(TARGETS sot-intake sot-intaked RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The installed config: the shipped one, with the court's rules copy and the registry under
# /var/lib/sot-intake (the unit's StateDirectory).
file(READ ${PROJECT_SOURCE_DIR}/config/sot-intake.toml sot_config)
string(REPLACE "file = \"\"   # empty: the shipped rules (rules/rules.toml)"
               "file = \"rules.toml\"   # the court's copy, beside this file" sot_config
               "${sot_config}")
string(REPLACE "# url = \"postgresql://sot@db.court.kz/sot\""
               "url = \"sqlite:/var/lib/sot-intake/registry.sqlite\"" sot_config "${sot_config}")
string(FIND "${sot_config}" "file = \"rules.toml\"" sot_has_rules)
string(FIND "${sot_config}" "url = \"sqlite:/var/lib" sot_has_registry)
if(sot_has_rules EQUAL -1 OR sot_has_registry EQUAL -1)
  message(FATAL_ERROR "config/sot-intake.toml changed: cmake/Install.cmake cannot make the "
                      "installed config from it")
endif()
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/installed/sot-intake.toml "${sot_config}")

set(SOT_ETC ${CMAKE_INSTALL_FULL_SYSCONFDIR}/sot-intake)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/installed/sot-intake.toml
              ${PROJECT_SOURCE_DIR}/rules/rules.toml
        DESTINATION ${SOT_ETC} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(DIRECTORY DESTINATION ${SOT_ETC}/trust)
install(DIRECTORY DESTINATION ${SOT_ETC}/intermediates)
install(DIRECTORY DESTINATION ${SOT_ETC}/crl)
install(FILES ${PROJECT_SOURCE_DIR}/config/sot-intake.toml ${PROJECT_SOURCE_DIR}/rules/rules.toml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/sot-intake)

# systemd: the unit (Debian keeps units under /lib), the account, the spool and state.
install(FILES ${PROJECT_SOURCE_DIR}/systemd/sot-intaked.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/sot-intake.sysusers.conf
        DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d RENAME sot-intake.conf)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/sot-intake.tmpfiles.conf
        DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d RENAME sot-intake.conf)

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/config/sot-intake.example.toml
              ${PROJECT_SOURCE_DIR}/systemd/registry-postgresql.conf
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Man pages, from Markdown (docs/man/*.md) by pandoc when it is there.
find_program(PANDOC pandoc)
if(PANDOC)
  set(sot_man_pages)
  foreach(page sot-intake.1 sot-intaked.8 sot-intake.toml.5)
    string(REGEX MATCH "[0-9]$" section ${page})
    # build/…/man/manN/PAGE: a MANPATH for `man` (the unit test checks the unit's man: links).
    set(out ${PROJECT_BINARY_DIR}/man/man${section}/${page})
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man/man${section}
      COMMAND ${PANDOC} --standalone --to man ${PROJECT_SOURCE_DIR}/docs/man/${page}.md
              --output ${out}
      DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/${page}.md
      COMMENT "man page ${page}")
    list(APPEND sot_man_pages ${out})
    install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  add_custom_target(man-pages ALL DEPENDS ${sot_man_pages})
endif()
