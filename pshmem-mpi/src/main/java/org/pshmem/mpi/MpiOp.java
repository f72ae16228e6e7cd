package org.pshmem.mpi;

/**
 * The reductions of {@link MpiLibrary#allReduce}.
 */
public enum MpiOp
{
    /** {@code MPI_SUM}. */
    SUM,
    /** {@code MPI_MIN}. */
    MIN,
    /** {@code MPI_MAX}. */
    MAX
}
