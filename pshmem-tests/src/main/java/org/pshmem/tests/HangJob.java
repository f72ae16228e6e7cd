package org.pshmem.tests;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedIntArray;

/**
 * A job that stops moving and is not caught, for the launchers' report of where every rank is: rank 0 waits in
 * a barrier, the ranks between wait in an all-reduce, and the last rank sleeps outside any collective until the
 * launcher's {@code --timeout} ends the job. With the argument {@code set}, the ranks but the last wait in
 * {@code set()} on an array instead. Each rank first prints {@value #START}{@code <rank>}.
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
     * @param args none, or {@code set}.
     * @throws InterruptedException never in practice: the launcher ends the job.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            final boolean arrays = pshmem.args().length > 0 && pshmem.args()[0].equals("set");
            final SharedIntArray array = arrays ? SharedArray.ofInts(world, 4) : null;
            System.out.println(START + world.rank());
            if (world.rank() == world.size() - 1)
            {
                Thread.sleep(Long.MAX_VALUE); // running, in no collective, for ever
            }
            else if (arrays)
            {
                array.set(world.rank() == 0 ? new int[4] : null, 0); // waits in node memory
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
