// The one symbol of GCC 13's libstdc++ (GLIBCXX_3.4.32) that TorchSharp 0.107's libLibTorchSharp.so needs and
// Debian 12's GCC 12 libstdc++ lacks. GCC 13 calls it from static initialisers to make sure the standard streams
// exist before they are used; GCC 12's libstdc++ initialises them itself when it is loaded, so doing nothing is
// correct there. Built without symbol versions, so that the loader accepts it for the versioned reference once
// scripts/build/elf_weak_version.py has made that version requirement weak.
namespace std {
void ios_base_library_init();
}

void std::ios_base_library_init() {}
