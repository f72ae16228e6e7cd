package org.pshmem.mpi;

import java.lang.foreign.MemorySegment;

/**
 * A communicator handle ({@code MPI_Comm}) of one {@link MpiLibrary}. The world and self communicators are the
 * library's and are never freed; a communicator made by a split belongs to the caller, who frees it once with
 * {@link MpiLibrary#free(MpiComm)}.
 *
 * @param handle     the handle: in Open MPI, the address of the communicator's object.
 * @param predefined true for {@code MPI_COMM_WORLD} and {@code MPI_COMM_SELF}, which must not be freed.
 */
public record MpiComm(MemorySegment handle, boolean predefined)
{
}
