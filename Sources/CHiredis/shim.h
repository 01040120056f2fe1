/* hiredis, for MetadataCache only. */
#ifndef FILEFLOW_CHIREDIS_SHIM_H
#define FILEFLOW_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
