package org.pshmem.tests;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;

/**
 * A job that stops moving and is not caught, for the launchers' report of where every rank is: rank 0 waits in
 * a barrier, the ranks between wait in an all-reduce, and the last rank sleeps outside any collective until the
 * launcher's {@code --timeout} ends the job. Each rank first prints {@value #START}{@code <rank>}.
 */
public final class HangJob
{
    /** The start of the line each rank prints before it stops moving. */
    public static final String START = "HANG START on rank ";

    private HangJob()
    {
    }

    /**
     * Runs one rank of the job; it does not return.
     *
     * @param args none.
     * @throws InterruptedException never in practice: the launcher ends the job.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            System.out.println(START + world.rank());
            if (world.rank() == world.size() - 1)
            {
                Thread.sleep(Long.MAX_VALUE); // running, in no collective, for ever
            }
            else if (world.rank() == 0)
            {
                world.barrier();
            }
            else
            {
                world.allReduce(1, ReduceOp.SUM);
            }
        }
    }
}
