package org.pshmem.mpi;

import static org.pshmem.mpi.RankChecks.check;
import static org.pshmem.mpi.RankChecks.equal;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * One rank of the job {@link MpiJobTest} starts with {@code mpirun}: calls every bound function and checks each
 * result against a value worked out here from rank and size, not by the code under test. Prints
 * {@code rank R of S: N checks passed} at the end; a failed check prints {@code rank R FAILED: ...} and aborts
 * the job.
 *
 * <p>Arguments: the expected world size, then optionally a mode: {@code wrong} expects one wrong sum (the
 * harness must see the job fail), {@code abort} makes rank 1 call {@code MPI_Abort} with code 7 while the
 * others wait in a barrier.
 */
public final class MpiJobMain
{
    private static int rank = -1;

    private MpiJobMain()
    {
    }

    /**
     * @param args expected size, then optionally {@code wrong} or {@code abort}.
     */
    public static void main(final String[] args)
    {
        final int expectedSize = Integer.parseInt(args[0]);
        final String mode = args.length > 1 ? args[1] : "";
        final MpiLibrary mpi = MpiLibrary.system();
        check("not initialised before MPI_Init_thread", !mpi.initialized());
        final ThreadLevel provided = mpi.initThread(ThreadLevel.MULTIPLE);
        final MpiComm world = mpi.world();
        rank = mpi.rank(world);
        try
        {
            run(mpi, world, expectedSize, mode, provided);
        }
        catch (final Throwable t)
        {
            System.out.println("rank " + rank + " FAILED: " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            mpi.abort(world, 3);
        }
        mpi.finalizeMpi();
        if (!mpi.finalized())
        {
            System.out.println("rank " + rank + " FAILED: MPI_Finalized is false after MPI_Finalize");
            System.exit(4);
        }
        System.out.println("rank " + rank + " of " + expectedSize + ": " + RankChecks.count() + " checks passed");
    }

    private static void run(final MpiLibrary mpi, final MpiComm world, final int expectedSize, final String mode,
        final ThreadLevel provided) throws Exception
    {
        check("initialised", mpi.initialized());
        check("provided thread level " + provided + " is a level", provided != null);
        if (rank == 0)
        {
            System.out.println("thread level provided: " + provided);
        }
        final int size = mpi.size(world);
        equal("world size", expectedSize, size);
        check("rank in range", rank >= 0 && rank < size);
        equal("self size", 1, mpi.size(mpi.self()));
        equal("self rank", 0, mpi.rank(mpi.self()));

        if (mode.equals("abort"))
        {
            if (rank == 1)
            {
                System.out.println("rank 1 aborting");
                System.out.flush();
                mpi.abort(world, 7);
            }
            mpi.barrier(world);
            throw new AssertionError("the barrier returned though rank 1 aborted");
        }

        for (final MpiDatatype type : MpiDatatype.values())
        {
            equal("MPI_Type_size of " + type, type.bytes(), mpi.typeSize(type));
        }

        // Ranks are distinct and in order: every rank gathers every rank's number.
        final int[] ranks = new int[size];
        mpi.allGather(world, new int[] {rank}, 1, ranks);
        final int[] expectedRanks = new int[size];
        Arrays.setAll(expectedRanks, i -> i);
        equal("gathered ranks", Arrays.toString(expectedRanks), Arrays.toString(ranks));

        allReduce(mpi, world, size, mode.equals("wrong"));
        broadcast(mpi, world, size);
        allGather(mpi, world, size);
        split(mpi, world, size);
        splitShared(mpi, world, size);
        sendReceive(mpi, world, size);
        probe(mpi, world, size);
        receiveLater(mpi, world, size);
        errors(mpi, world, size);
        mpi.barrier(world);
    }

    private static void allReduce(final MpiLibrary mpi, final MpiComm world, final int size, final boolean wrong)
    {
        final int[] ints = {rank + 1, -rank, 1_000_000_000 / size * (rank + 1)};
        final int[] intSum = new int[3];
        final int[] intMin = new int[3];
        final int[] intMax = new int[3];
        mpi.allReduce(world, ints, intSum, 3, MpiOp.SUM);
        mpi.allReduce(world, ints, intMin, 3, MpiOp.MIN);
        mpi.allReduce(world, ints, intMax, 3, MpiOp.MAX);
        final int triangle = size * (size + 1) / 2;
        equal("int SUM", Arrays.toString(new int[] {triangle + (wrong ? 1 : 0), -(triangle - size),
            1_000_000_000 / size * triangle}), Arrays.toString(intSum));
        equal("int MIN", Arrays.toString(new int[] {1, -(size - 1), 1_000_000_000 / size}), Arrays.toString(intMin));
        equal("int MAX", Arrays.toString(new int[] {size, 0, 1_000_000_000 / size * size}), Arrays.toString(intMax));

        // Beyond 32 bits, so a 4-byte datatype would give other sums.
        final long big = 1L << 40;
        final long[] longs = {big * (rank + 1) + rank, Long.MIN_VALUE + rank, Long.MAX_VALUE - rank};
        final long[] longSum = new long[3];
        final long[] longMin = new long[3];
        final long[] longMax = new long[3];
        mpi.allReduce(world, longs, longSum, 1, MpiOp.SUM);
        mpi.allReduce(world, longs, longMin, 3, MpiOp.MIN);
        mpi.allReduce(world, longs, longMax, 3, MpiOp.MAX);
        equal("long SUM", big * triangle + (triangle - size), longSum[0]);
        equal("long SUM wrote only count elements", 0L, longSum[1]);
        equal("long MIN", Arrays.toString(new long[] {big, Long.MIN_VALUE, Long.MAX_VALUE - (size - 1)}),
            Arrays.toString(longMin));
        equal("long MAX", Arrays.toString(new long[] {big * size + size - 1, Long.MIN_VALUE + size - 1,
            Long.MAX_VALUE}), Arrays.toString(longMax));

        final double[] doubles = {rank + 0.5, -0.25 * (rank + 1), 1e300 * (rank % 2 == 0 ? 1 : -1)};
        final double[] doubleSum = new double[3];
        final double[] doubleMin = new double[3];
        final double[] doubleMax = new double[3];
        mpi.allReduce(world, doubles, doubleSum, 2, MpiOp.SUM);
        mpi.allReduce(world, doubles, doubleMin, 3, MpiOp.MIN);
        mpi.allReduce(world, doubles, doubleMax, 3, MpiOp.MAX);
        equal("double SUM", Arrays.toString(new double[] {triangle - size / 2.0, -0.25 * triangle, 0}),
            Arrays.toString(doubleSum));
        equal("double MIN", Arrays.toString(new double[] {0.5, -0.25 * size, size > 1 ? -1e300 : 1e300}),
            Arrays.toString(doubleMin));
        equal("double MAX", Arrays.toString(new double[] {size - 0.5, -0.25, 1e300}), Arrays.toString(doubleMax));
    }

    private static void broadcast(final MpiLibrary mpi, final MpiComm world, final int size)
    {
        final int root = size - 1;
        final long[] longs = new long[6];
        if (rank == root)
        {
            longs[2] = 11;
            longs[3] = -22;
            longs[4] = Long.MAX_VALUE;
        }
        else
        {
            Arrays.fill(longs, 5);
        }
        mpi.broadcast(world, longs, 2, 3, root);
        equal("long broadcast at offset 2", rank == root ? "[0, 0, 11, -22, " + Long.MAX_VALUE + ", 0]"
            : "[5, 5, 11, -22, " + Long.MAX_VALUE + ", 5]", Arrays.toString(longs));

        final byte[] bytes = rank == 0 ? new byte[] {-128, 0, 127} : new byte[3];
        final short[] shorts = rank == 0 ? new short[] {Short.MIN_VALUE, 7, Short.MAX_VALUE} : new short[3];
        final float[] floats = rank == 0 ? new float[] {1.5f, -0f, Float.MAX_VALUE} : new float[3];
        mpi.broadcast(world, bytes, 0, 3, 0);
        mpi.broadcast(world, shorts, 0, 3, 0);
        mpi.broadcast(world, floats, 0, 3, 0);
        equal("byte broadcast", "[-128, 0, 127]", Arrays.toString(bytes));
        equal("short broadcast", "[-32768, 7, 32767]", Arrays.toString(shorts));
        equal("float broadcast", Arrays.toString(new float[] {1.5f, -0f, Float.MAX_VALUE}), Arrays.toString(floats));
    }

    private static void allGather(final MpiLibrary mpi, final MpiComm world, final int size)
    {
        final double[] doubles = new double[2 * size];
        mpi.allGather(world, new double[] {rank, rank + 0.125}, 2, doubles);
        final short[] shorts = new short[size];
        mpi.allGather(world, new short[] {(short)(1000 * rank - 1)}, 1, shorts);
        final byte[] bytes = new byte[size];
        mpi.allGather(world, new byte[] {(byte)(rank - 100)}, 1, bytes);
        for (int r = 0; r < size; r++)
        {
            equal("gathered double of rank " + r, (double)r, doubles[2 * r]);
            equal("gathered second double of rank " + r, r + 0.125, doubles[2 * r + 1]);
            equal("gathered short of rank " + r, (short)(1000 * r - 1), shorts[r]);
            equal("gathered byte of rank " + r, (byte)(r - 100), bytes[r]);
        }
    }

    private static void split(final MpiLibrary mpi, final MpiComm world, final int size)
    {
        // Two colours, keys reversing rank order within each.
        final MpiComm half = mpi.split(world, rank % 2, -rank);
        final int sameColour = (size - rank % 2 + 1) / 2;
        equal("split size", sameColour, mpi.size(half));
        int above = 0;
        for (int r = rank + 2; r < size; r += 2)
        {
            above++;
        }
        equal("split rank (by key, reversed)", above, mpi.rank(half));
        final int[] sum = new int[1];
        mpi.allReduce(half, new int[] {rank}, sum, 1, MpiOp.SUM);
        int expected = 0;
        for (int r = rank % 2; r < size; r += 2)
        {
            expected += r;
        }
        equal("sum of world ranks over the split", expected, sum[0]);
        mpi.free(half);

        // MPI_UNDEFINED leaves rank 0 out: it gets no communicator (MPI_COMM_NULL), the rest one of size - 1.
        final MpiComm rest = mpi.split(world, rank == 0 ? OpenMpiAbi.UNDEFINED : 5, rank);
        if (rank == 0)
        {
            check("colour MPI_UNDEFINED gives no communicator", rest == null);
        }
        else
        {
            check("a communicator for colour 5", rest != null);
            equal("size without rank 0", size - 1, mpi.size(Objects.requireNonNull(rest)));
            equal("rank without rank 0", rank - 1, mpi.rank(rest));
            mpi.free(rest);
        }
    }

    private static void splitShared(final MpiLibrary mpi, final MpiComm world, final int size) throws Exception
    {
        // The expected node groups from host names, gathered as hashes.
        final long host = InetAddress.getLocalHost().getHostName().hashCode();
        final long[] hosts = new long[size];
        mpi.allGather(world, new long[] {host}, 1, hosts);
        int sameHost = 0;
        int sameHostBelow = 0;
        for (int r = 0; r < size; r++)
        {
            if (hosts[r] == host)
            {
                sameHost++;
                sameHostBelow += r < rank ? 1 : 0;
            }
        }
        final MpiComm node = mpi.splitShared(world, 0);
        equal("node size (MPI_COMM_TYPE_SHARED)", sameHost, mpi.size(node));
        equal("node rank", sameHostBelow, mpi.rank(node));
        final int[] sum = new int[1];
        mpi.allReduce(node, new int[] {1}, sum, 1, MpiOp.SUM);
        equal("ranks counted on the node", sameHost, sum[0]);
        mpi.free(node);
    }

    private static void sendReceive(final MpiLibrary mpi, final MpiComm world, final int size)
    {
        // A ring, received from any source with any tag: the status says who sent what, which checks
        // MPI_ANY_SOURCE, MPI_ANY_TAG and where MPI_Status keeps source and tag.
        final int next = (rank + 1) % size;
        final int previous = (rank + size - 1) % size;
        final int[] message = {rank * 10, rank * 10 + 1, -rank};
        if (size == 1)
        {
            return;
        }
        if (rank % 2 == 0)
        {
            mpi.send(world, message, 0, 3, next, 7 + rank);
        }
        final int[] received = new int[6];
        final MpiStatus status = mpi.receive(world, received, 1, 5, OpenMpiAbi.ANY_SOURCE, OpenMpiAbi.ANY_TAG);
        if (rank % 2 != 0)
        {
            mpi.send(world, message, 0, 3, next, 7 + rank);
        }
        equal("received from", previous, status.source());
        equal("received tag", 7 + previous, status.tag());
        equal("received count", 3, status.count());
        equal("received elements at offset 1",
            Arrays.toString(new int[] {0, previous * 10, previous * 10 + 1, -previous, 0, 0}),
            Arrays.toString(received));

        // A named source and tag, with an offset into the sent array.
        final double[] doubles = {1, 2, 3, 4};
        mpi.send(world, doubles, 1, 2, next, 3);
        final double[] into = new double[2];
        final MpiStatus named = mpi.receive(world, into, 0, 2, previous, 3);
        equal("named source", previous, named.source());
        equal("doubles sent from offset 1", "[2.0, 3.0]", Arrays.toString(into));
    }

    private static void probe(final MpiLibrary mpi, final MpiComm world, final int size)
    {
        if (size == 1)
        {
            return;
        }
        final int next = (rank + 1) % size;
        final int previous = (rank + size - 1) % size;
        equal("no message with tag 41 waits", null, mpi.probe(world, OpenMpiAbi.ANY_SOURCE, 41, MpiDatatype.LONG));
        mpi.barrier(world);
        mpi.send(world, new long[] {1, 2, 3, 4, 5}, 0, rank + 1, next, 41);
        final long deadline = System.nanoTime() + 30_000_000_000L;
        MpiStatus status;
        while ((status = mpi.probe(world, OpenMpiAbi.ANY_SOURCE, 41, MpiDatatype.LONG)) == null)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no probe found the message within 30 s");
            }
            Thread.onSpinWait();
        }
        equal("probed source", previous, status.source());
        equal("probed tag", 41, status.tag());
        equal("probed count", previous + 1, status.count());
        final long[] into = new long[size];
        final MpiStatus received = mpi.receive(world, into, 0, size, previous, 41);
        equal("received count after probe", previous + 1, received.count());
        equal("first element", 1L, into[0]);
        mpi.barrier(world);
    }

    private static void receiveLater(final MpiLibrary mpi, final MpiComm world, final int size) throws Exception
    {
        if (size == 1)
        {
            return;
        }
        final int next = (rank + 1) % size;
        final int previous = (rank + size - 1) % size;
        final float[] into = new float[4];
        final MpiRequest request = mpi.receiveLater(world, into, 1, 3, previous, 9);
        // Nobody sends before this barrier, so the receive cannot have completed.
        check("not complete before the send", !request.test());
        check("isComplete before the send", !request.isComplete());
        equal("no status before completion", null, request.status());
        mpi.barrier(world);
        final float[] message = {rank + 0.5f, -rank};
        final MpiRequest sent = mpi.sendLater(world, message, 0, 2, next, 9);
        message[0] = 99; // the request sends a copy taken when it started
        await(request);
        await(sent);
        check("isComplete", request.isComplete());
        final MpiStatus status = request.status();
        equal("Irecv source", previous, status.source());
        equal("Irecv tag", 9, status.tag());
        equal("Irecv count", 2, status.count());
        equal("Irecv elements at offset 1", Arrays.toString(new float[] {0, previous + 0.5f, -previous, 0}),
            Arrays.toString(into));
        check("test after completion", request.test() && request.status() == status);
        equal("a send has no status", null, sent.status());
        request.close();

        // A receive nobody matches is withdrawn by close(), and tested after that it says so.
        final MpiRequest never = mpi.receiveLater(world, new int[1], 0, 1, OpenMpiAbi.ANY_SOURCE, 12345);
        check("unmatched receive", !never.test());
        never.close();
        never.close();
        try
        {
            never.test();
            throw new AssertionError("test() after close() did not throw");
        }
        catch (final IllegalStateException expected)
        {
            RankChecks.passed();
        }

        // Non-blocking collectives: the last rank enters only when every other rank has started its own and
        // tells it so (messages, not a collective, so that every rank calls the collectives in the same order);
        // before that no rank's barrier or reduction can complete.
        final MpiRequest barrier;
        final long[] reduced = new long[2];
        final MpiRequest reduction;
        if (rank == size - 1)
        {
            for (int r = 0; r < size - 1; r++)
            {
                mpi.receive(world, new int[1], 0, 1, OpenMpiAbi.ANY_SOURCE, 77);
            }
            barrier = mpi.barrierLater(world);
            reduction = mpi.allReduceLater(world, new long[] {rank, -rank}, reduced, 2, MpiOp.MAX);
        }
        else
        {
            barrier = mpi.barrierLater(world);
            reduction = mpi.allReduceLater(world, new long[] {rank, -rank}, reduced, 2, MpiOp.MAX);
            Thread.sleep(100);
            check("Ibarrier incomplete while the last rank is out", !barrier.test());
            check("Iallreduce incomplete while the last rank is out", !reduction.test());
            equal("no result before completion", "[0, 0]", Arrays.toString(reduced));
            mpi.send(world, new int[] {rank}, 0, 1, size - 1, 77);
        }
        await(barrier);
        await(reduction);
        equal("Iallreduce MAX", "[" + (size - 1) + ", 0]", Arrays.toString(reduced));

        // Ibcast writes a non-root's array only on completion, at the offset; the root's array is left alone.
        final int root = size - 1;
        final long[] longs = rank == root ? new long[] {0, 7, -8, Long.MIN_VALUE} : new long[] {3, 3, 3, 3};
        final MpiRequest broadcast = mpi.broadcastLater(world, longs, 1, 3, root);
        await(broadcast);
        equal("Ibcast at offset 1", rank == root ? "[0, 7, -8, " + Long.MIN_VALUE + "]"
            : "[3, 7, -8, " + Long.MIN_VALUE + "]", Arrays.toString(longs));
        // Iallgather: two doubles of every rank, in rank order.
        final double[] gathered = new double[2 * size];
        final MpiRequest gather = mpi.allGatherLater(world, new double[] {rank, -0.5 * rank}, 2, gathered);
        await(gather);
        for (int r = 0; r < size; r++)
        {
            equal("Iallgather of rank " + r, "[" + (double)r + ", " + -0.5 * r + "]",
                Arrays.toString(Arrays.copyOfRange(gathered, 2 * r, 2 * r + 2)));
        }
        mpi.barrier(world);
    }

    private static void await(final MpiRequest request)
    {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (!request.test())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("a request did not complete within 30 s");
            }
            Thread.yield();
        }
        RankChecks.passed();
    }

    private static void errors(final MpiLibrary mpi, final MpiComm world, final int size)
    {
        try
        {
            mpi.send(world, new int[] {1}, 0, 1, size + 5, 0);
            throw new AssertionError("a send to rank " + (size + 5) + " did not throw");
        }
        catch (final MpiException e)
        {
            equal("failed function", "MPI_Send", e.function());
            check("error code non-zero", e.errorCode() != OpenMpiAbi.SUCCESS);
            final String text = mpi.errorText(e.errorCode());
            check("MPI_Error_string gives text", !text.isBlank());
            check("message names the function and the text: " + e.getMessage(),
                e.getMessage().startsWith("MPI_Send failed with error " + e.errorCode() + ": ")
                    && e.getMessage().endsWith(text));
            System.out.println("rank " + rank + " error text: " + e.getMessage());
        }
        try
        {
            // Every rank names the same wrong root, so every rank gets the error and none waits.
            mpi.broadcast(world, new int[1], 0, 1, size + 1);
            throw new AssertionError("a broadcast from root " + (size + 1) + " did not throw");
        }
        catch (final MpiException e)
        {
            equal("failed collective", "MPI_Bcast", e.function());
            check("collective's message: " + e.getMessage(), e.getMessage().startsWith("MPI_Bcast failed with error ")
                && e.getMessage().endsWith(mpi.errorText(e.errorCode())));
        }
        try
        {
            mpi.free(world);
            throw new AssertionError("freeing the world communicator did not throw");
        }
        catch (final IllegalArgumentException expected)
        {
            RankChecks.passed();
        }
    }
}
