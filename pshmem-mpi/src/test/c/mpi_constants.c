/*
 * Prints what mpi.h fixes at compile time, one "name=value" a line, for OpenMpiAbiTest to compare with
 * OpenMpiAbi: integer constants, the layout of MPI_Status, and for each predefined handle the name of the
 * library symbol at its address (found with dladdr, so the mapping is the library's, not copied by hand).
 * Needs no MPI_Init: handles are link-time addresses in Open MPI.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <mpi.h>

static void symbol(const char *name, const void *handle)
{
    Dl_info info;
    if (dladdr(handle, &info) != 0 && info.dli_sname != NULL && info.dli_saddr == handle)
    {
        printf("%s=%s\n", name, info.dli_sname);
    }
    else
    {
        printf("%s=?\n", name);
    }
}

int main(void)
{
    printf("MPI_SUCCESS=%d\n", MPI_SUCCESS);
    printf("MPI_ANY_SOURCE=%d\n", MPI_ANY_SOURCE);
    printf("MPI_ANY_TAG=%d\n", MPI_ANY_TAG);
    printf("MPI_PROC_NULL=%d\n", MPI_PROC_NULL);
    printf("MPI_UNDEFINED=%d\n", MPI_UNDEFINED);
    printf("MPI_COMM_TYPE_SHARED=%d\n", MPI_COMM_TYPE_SHARED);
    printf("MPI_MAX_ERROR_STRING=%d\n", MPI_MAX_ERROR_STRING);
    printf("MPI_MAX_LIBRARY_VERSION_STRING=%d\n", MPI_MAX_LIBRARY_VERSION_STRING);
    printf("MPI_THREAD_SINGLE=%d\n", MPI_THREAD_SINGLE);
    printf("MPI_THREAD_FUNNELED=%d\n", MPI_THREAD_FUNNELED);
    printf("MPI_THREAD_SERIALIZED=%d\n", MPI_THREAD_SERIALIZED);
    printf("MPI_THREAD_MULTIPLE=%d\n", MPI_THREAD_MULTIPLE);
    printf("sizeof(MPI_Status)=%zu\n", sizeof(MPI_Status));
    printf("offsetof(MPI_SOURCE)=%zu\n", offsetof(MPI_Status, MPI_SOURCE));
    printf("offsetof(MPI_TAG)=%zu\n", offsetof(MPI_Status, MPI_TAG));
    printf("offsetof(MPI_ERROR)=%zu\n", offsetof(MPI_Status, MPI_ERROR));
    printf("sizeof(MPI_Comm)=%zu\n", sizeof(MPI_Comm));
    printf("sizeof(MPI_Datatype)=%zu\n", sizeof(MPI_Datatype));
    printf("sizeof(MPI_Op)=%zu\n", sizeof(MPI_Op));
    printf("sizeof(MPI_Request)=%zu\n", sizeof(MPI_Request));
    printf("sizeof(MPI_Info)=%zu\n", sizeof(MPI_Info));
    printf("sizeof(MPI_Errhandler)=%zu\n", sizeof(MPI_Errhandler));
    symbol("MPI_COMM_WORLD", MPI_COMM_WORLD);
    symbol("MPI_COMM_SELF", MPI_COMM_SELF);
    symbol("MPI_COMM_NULL", MPI_COMM_NULL);
    symbol("MPI_INFO_NULL", MPI_INFO_NULL);
    symbol("MPI_REQUEST_NULL", MPI_REQUEST_NULL);
    symbol("MPI_ERRORS_RETURN", MPI_ERRORS_RETURN);
    symbol("MPI_INT8_T", MPI_INT8_T);
    symbol("MPI_INT16_T", MPI_INT16_T);
    symbol("MPI_INT32_T", MPI_INT32_T);
    symbol("MPI_INT64_T", MPI_INT64_T);
    symbol("MPI_FLOAT", MPI_FLOAT);
    symbol("MPI_DOUBLE", MPI_DOUBLE);
    symbol("MPI_SUM", MPI_SUM);
    symbol("MPI_MIN", MPI_MIN);
    symbol("MPI_MAX", MPI_MAX);
    return 0;
}
