/* libpq, for PostgresStore only. */
#ifndef FILEFLOW_CLIBPQ_SHIM_H
#define FILEFLOW_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
