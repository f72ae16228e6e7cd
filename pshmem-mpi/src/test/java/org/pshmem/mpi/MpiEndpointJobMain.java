package org.pshmem.mpi;

import static org.pshmem.mpi.RankChecks.check;
import static org.pshmem.mpi.RankChecks.equal;

import java.util.Arrays;
import java.util.Objects;

import org.pshmem.api.PshmemException;
import org.pshmem.api.ReduceOp;
import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.PostedReceive;
import org.pshmem.spi.RankActivity;

/**
 * One rank of the job {@link MpiEndpointTest} starts with {@code mpirun}: {@link MpiEndpoint} over the world
 * communicator, each result checked against values worked out from rank and size. Prints
 * {@code endpoint rank R of S: N checks passed}, and each mismatch failure as {@code mismatch R: message}.
 */
public final class MpiEndpointJobMain
{
    private MpiEndpointJobMain()
    {
    }

    /**
     * @param args the expected world size.
     */
    public static void main(final String[] args)
    {
        final int expectedSize = Integer.parseInt(args[0]);
        final MpiLibrary mpi = MpiLibrary.system();
        mpi.initThread(ThreadLevel.MULTIPLE);
        final int rank = mpi.rank(mpi.world());
        try
        {
            final RankActivity activity = new RankActivity();
            final MpiEndpoint world = new MpiEndpoint(mpi, mpi.world(), rank, "the world communicator", activity);
            run(world, expectedSize);
            check("no collective recorded after the last", activity.waiting().isEmpty());
            world.close(); // the world communicator is not freed: MPI_Finalize still works
        }
        catch (final Throwable t)
        {
            System.out.println("endpoint rank " + rank + " FAILED: " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            mpi.abort(mpi.world(), 3);
        }
        mpi.finalizeMpi();
        System.out.println("endpoint rank " + rank + " of " + expectedSize + ": " + RankChecks.count() +
            " checks passed");
    }

    private static void run(final MpiEndpoint world, final int expectedSize) throws Exception
    {
        final int rank = world.rank();
        final int size = world.size();
        equal("size", expectedSize, size);
        equal("world rank", rank, world.worldRank());
        world.barrier();
        world.objectBarrier();

        final int[] sum = new int[2];
        world.allReduce(new int[] {rank, 1}, sum, 2, ReduceOp.SUM);
        equal("allReduce SUM", "[" + size * (size - 1) / 2 + ", " + size + "]", Arrays.toString(sum));
        final double[] max = new double[1];
        world.allReduce(new double[] {rank * 1.5}, max, 1, ReduceOp.MAX);
        equal("allReduce MAX", (size - 1) * 1.5, max[0]);
        final long[] values = rank == 1 % size ? new long[] {0, 42, -7} : new long[3];
        world.broadcast(values, 1, 2, 1 % size);
        equal("broadcast", "[0, 42, -7]", Arrays.toString(values));
        final short[] gathered = new short[size];
        world.allGather(new short[] {(short)(rank * 3)}, 1, gathered);
        for (int r = 0; r < size; r++)
        {
            equal("gathered of rank " + r, (short)(r * 3), gathered[r]);
        }

        // Messages: a ring, received from any source; then a posted receive; then a probe.
        final int next = (rank + 1) % size;
        final int previous = (rank + size - 1) % size;
        world.send(new int[] {rank, rank * rank}, 0, 2, next, 5);
        final int[] in = new int[4];
        equal("received count", 2, world.receive(in, 1, 3, CommEndpoint.ANY_SOURCE, 5));
        equal("received", Arrays.toString(new int[] {0, previous, previous * previous, 0}), Arrays.toString(in));
        final float[] later = new float[2];
        final PostedReceive posted = world.receiveLater(later, 0, 2, previous, 6);
        world.barrier();
        world.send(new float[] {rank + 0.25f}, 0, 1, next, 6);
        equal("posted receive count", 1, posted.await());
        equal("posted receive", previous + 0.25f, later[0]);
        equal("no message with tag 8 yet", false, world.probe(CommEndpoint.ANY_SOURCE, 8));
        world.barrier();
        world.send(new byte[] {1}, 0, 1, next, 8);
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (!world.probe(previous, 8))
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no probe found the message within 30 s");
            }
            Thread.yield();
        }
        equal("received after probe", 1, world.receive(new byte[1], 0, 1, previous, 8));

        // A probe from another thread while this one waits in a barrier (the SPI allows it; MPI_THREAD_MULTIPLE).
        world.send(new long[] {rank}, 0, 1, next, 9);
        final boolean[] found = new boolean[1];
        final Thread prober = new Thread(() ->
        {
            final long until = System.nanoTime() + 30_000_000_000L;
            while (!found[0] && System.nanoTime() < until)
            {
                found[0] = world.probe(previous, 9);
            }
        });
        prober.start();
        world.barrier();
        prober.join();
        check("another thread's probe found the message", found[0]);
        final long[] probed = new long[1];
        equal("received after another thread's probe", 1, world.receive(probed, 0, 1, previous, 9));
        equal("its content", (long)previous, probed[0]);

        // Splits.
        final CommEndpoint half = world.split(rank % 2, rank);
        equal("split size", (size - rank % 2 + 1) / 2, half.size());
        equal("split rank", rank / 2, half.rank());
        equal("split keeps the world rank", rank, half.worldRank());
        final int[] halfSum = new int[1];
        half.allReduce(new int[] {rank}, halfSum, 1, ReduceOp.SUM);
        int expected = 0;
        for (int r = rank % 2; r < size; r += 2)
        {
            expected += r;
        }
        equal("sum over the split", expected, halfSum[0]);
        half.close();
        final CommEndpoint rest = world.split(rank == 0 ? CommEndpoint.UNDEFINED : 0, rank);
        if (rank == 0)
        {
            equal("UNDEFINED colour gives no endpoint", null, rest);
        }
        else
        {
            equal("rest size", size - 1, Objects.requireNonNull(rest).size());
            rest.close();
        }
        final CommEndpoint node = world.splitByNode();
        equal("node size (one host)", size, node.size());
        node.close();

        // Different calls: every rank throws the same failure, naming each rank's call, and the job goes on.
        final String callMismatch = mismatch(() ->
        {
            if (rank == 0)
            {
                world.barrier();
            }
            else
            {
                world.allReduce(new int[] {1}, new int[1], 1, ReduceOp.SUM);
            }
        });
        System.out.println("mismatch " + rank + ": " + callMismatch);
        check("call mismatch names both calls: " + callMismatch, callMismatch.startsWith(
            "collectives do not match at step ") && callMismatch.contains(" of the world communicator: rank 0 called "
            + "barrier(), ") && callMismatch.endsWith(" called allReduce(int, SUM)"));
        final String countMismatch = mismatch(() -> world.allReduce(new int[] {1, 2}, new int[2],
            rank == 0 ? 1 : 2, ReduceOp.SUM));
        System.out.println("mismatch " + rank + ": " + countMismatch);
        check("count mismatch names allReduce: " + countMismatch, countMismatch.contains("allReduce"));
        world.barrier();

        // An interrupted rank's collective completes and keeps the flag.
        Thread.currentThread().interrupt();
        world.barrier();
        check("the interrupt flag is kept", Thread.interrupted());
        world.barrier();
    }

    /** Runs a collective that must fail on this rank with a mismatch; returns the failure's message. */
    private static String mismatch(final Runnable collective)
    {
        try
        {
            collective.run();
        }
        catch (final PshmemException e)
        {
            RankChecks.passed();
            return e.getMessage();
        }
        throw new AssertionError("a mismatched collective did not throw");
    }
}
