/* The protocol back ends the loader has, by protocol. */
#include "driver.h"

extern const bc_backend bc_backend_mos;
extern const bc_backend bc_backend_linux;
extern const bc_backend bc_backend_multiboot1;
extern const bc_backend bc_backend_multiboot2;
extern const bc_backend bc_backend_efi;
extern const bc_backend bc_backend_bios_chainload;

static const bc_backend *const backends[] = {
    &bc_backend_mos,        &bc_backend_linux, &bc_backend_multiboot1,
    &bc_backend_multiboot2, &bc_backend_efi,   &bc_backend_bios_chainload,
};

const bc_backend *bc_backend_of(uint32_t protocol)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        if (backends[i]->protocol == protocol)
            return backends[i];
    }
    return NULL;
}
