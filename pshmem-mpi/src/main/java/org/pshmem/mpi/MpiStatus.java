package org.pshmem.mpi;

/**
 * What a completed receive or a successful probe reports about its message.
 *
 * @param source the sender's rank in the communicator.
 * @param tag    the message's tag.
 * @param count  the number of elements of the datatype asked about ({@code MPI_Get_count}).
 */
public record MpiStatus(int source, int tag, int count)
{
}
