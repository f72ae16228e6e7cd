package org.pshmem.mpi;

import org.pshmem.api.Pshmem;

/**
 * One rank of the jobs {@link MpiTransportTest} starts with {@code mpirun}: opens pshmem as an application does,
 * prints {@code rank R of S on T}, then, with the argument {@code throw}, rank 1 fails with an exception inside
 * the session's try-with-resources while the others wait in a barrier; the others print
 * {@code rank R passed the barrier}.
 */
public final class MpiTransportJobMain
{
    private MpiTransportJobMain()
    {
    }

    /**
     * @param args {@code ok} or {@code throw}.
     */
    public static void main(final String[] args)
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final int rank = pshmem.world().rank();
            System.out.println("rank " + rank + " of " + pshmem.world().size() + " on " + pshmem.transportName());
            if (rank == 1 && "throw".equals(args[0]))
            {
                throw new IllegalStateException("rank 1 fails on purpose");
            }
            pshmem.world().barrier();
            System.out.println("rank " + rank + " passed the barrier");
        }
    }
}
