/**
 * The native MPI transport's binding of the system's MPI library through {@code java.lang.foreign} (Java 22 or
 * later): {@link org.pshmem.mpi.MpiLibrary} loads Open MPI's {@code libmpi.so.40} and calls the functions a
 * transport needs; {@link org.pshmem.mpi.OpenMpiAbi} holds the constants, status layout and handle symbols of
 * Open MPI's interface, each checked against {@code mpi.h} by a test.
 */
package org.pshmem.mpi;
