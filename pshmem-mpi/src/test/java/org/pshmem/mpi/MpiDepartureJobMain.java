package org.pshmem.mpi;

import java.io.IOException;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.RankFailedException;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedLongArray;

/**
 * One rank of the jobs {@link MpiDepartureTest} starts with {@code mpirun}: every rank makes a shared array (node
 * memory), passes a barrier, prints {@code rank R ready}, then rank {@value #LEAVER} leaves the job in the way the
 * first argument names while the others wait for it in the call the second argument names ({@code barrier},
 * {@code allReduce} or {@code receive}, from rank {@value #LEAVER}):
 * <ul>
 * <li>{@code return}: it returns from main, closing its session;</li>
 * <li>{@code throw}: it throws;</li>
 * <li>{@code kill}: it ends its JVM with {@code kill -9};</li>
 * <li>{@code stall}: it sleeps for a minute, outside MPI, so that {@code mpirun}'s {@code --timeout} ends the
 * job while the others wait in MPI calls.</li>
 * </ul>
 * With a third argument {@code catch}, each waiting rank catches its {@link RankFailedException}, prints
 * {@code rank R caught: <message> (failed rank F)} and ends its JVM with status 1, so that every rank's failure
 * is seen (an uncaught one ends the job with {@code MPI_Abort}, which may stop the others before they print). A
 * waiting rank whose call returns prints {@code rank R passed <call>}.
 */
public final class MpiDepartureJobMain
{
    /** The rank that leaves. */
    static final int LEAVER = 2;

    private MpiDepartureJobMain()
    {
    }

    /**
     * @param args how rank {@value #LEAVER} leaves, what the others wait in, and optionally {@code catch}.
     * @throws IOException          when {@code kill} cannot be started.
     * @throws InterruptedException when interrupted while {@code kill} runs.
     */
    public static void main(final String[] args) throws IOException, InterruptedException
    {
        final String leave = args[0];
        final String call = args[1];
        final boolean catching = args.length > 2 && "catch".equals(args[2]);
        try (Pshmem pshmem = Pshmem.init(args);
            SharedLongArray array = SharedArray.ofLongs(pshmem.world(), 1000))
        {
            final Communicator world = pshmem.world();
            final int rank = world.rank();
            world.barrier();
            System.out.println("rank " + rank + " ready");
            System.out.flush();
            if (rank == LEAVER)
            {
                switch (leave)
                {
                    case "return" -> {
                        return;
                    }
                    case "throw" -> throw new IllegalStateException("rank " + rank + " fails on purpose");
                    case "kill" -> {
                        final String pid = Long.toString(ProcessHandle.current().pid());
                        new ProcessBuilder("kill", "-9", pid).start().waitFor();
                        Thread.sleep(60_000);
                        throw new IllegalStateException("kill -9 did not end rank " + rank);
                    }
                    case "stall" -> {
                        Thread.sleep(60_000);
                        throw new IllegalStateException("mpirun's --timeout did not end rank " + rank);
                    }
                    default -> throw new IllegalArgumentException("no way to leave called " + leave);
                }
            }
            try
            {
                switch (call)
                {
                    case "barrier" -> world.barrier();
                    case "allReduce" -> world.allReduce(1L, ReduceOp.MAX);
                    case "receive" -> world.receive(new long[1], LEAVER, 7);
                    default -> throw new IllegalArgumentException("no call called " + call);
                }
                System.out.println("rank " + rank + " passed " + call);
            }
            catch (final RankFailedException failure)
            {
                if (!catching)
                {
                    throw failure;
                }
                System.out.println("rank " + rank + " caught: " + failure.getMessage() + " (failed rank " +
                    failure.failedRank() + ")");
                System.out.flush();
                System.exit(1);
            }
        }
    }
}
