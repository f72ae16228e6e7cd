package org.pshmem.tests;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.PshmemException;
import org.pshmem.api.ReduceOp;

/**
 * Scenarios for the communicator operations every transport must provide, checked on every rank.
 */
public final class CommunicatorScenarios
{
    private CommunicatorScenarios()
    {
    }

    /**
     * @return every scenario by name, in a stable order.
     */
    public static Map<String, Scenario> all()
    {
        final Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("broadcast", p -> broadcast(p.world()));
        all.put("allReduceAndAllGather", p -> reduceAndGather(p.world()));
        all.put("split", p -> split(p.world(), ExpectedLayout.of(p)));
        all.put("pointToPoint", p -> pointToPoint(p.world()));
        all.put("self", p -> self(p.self(), p.world()));
        all.put("badArguments", p -> badArguments(p.world()));
        all.put("countsDisagree", p -> countsDisagree(p.world()));
        all.put("secondSessionRefused", p -> secondSessionRefused(p));
        return all;
    }

    static void broadcast(final Communicator comm)
    {
        final int root = comm.size() - 1;
        final boolean isRoot = comm.rank() == root;
        final Object[] arrays = {new byte[3], new short[3], new int[3], new long[3], new float[3], new double[3]};
        for (final Object array : arrays)
        {
            if (isRoot)
            {
                for (int i = 0; i < 3; i++)
                {
                    java.lang.reflect.Array.set(array, i, convert(array, 10 + i));
                }
            }
            comm.broadcast(array, root);
            for (int i = 0; i < 3; i++)
            {
                Expect.equal(10.0 + i, Values.element(array, i), array.getClass().getSimpleName() + " element " + i);
            }
        }
        Expect.equal(42L, comm.broadcast(isRoot ? 42L : -1L, root), "broadcast long");
        Expect.equal(0.125, comm.broadcast(isRoot ? 0.125 : -1.0, root), "broadcast double");
        Expect.equal("grüße from " + root, comm.broadcast(isRoot ? "grüße from " + root : null, root),
            "broadcast string");
        Expect.equal(null, comm.broadcast((String)null, 0), "broadcast of a null string");
    }

    private static Object convert(final Object array, final int value)
    {
        final Class<?> c = array.getClass().getComponentType();
        if (c == byte.class)
        {
            return (byte)value;
        }
        if (c == short.class)
        {
            return (short)value;
        }
        if (c == int.class)
        {
            return value;
        }
        if (c == long.class)
        {
            return (long)value;
        }
        return c == float.class ? (Object)(float)value : (Object)(double)value;
    }

    static void reduceAndGather(final Communicator comm)
    {
        final int n = comm.size();
        final int r = comm.rank();
        Expect.equal(n * (n - 1) / 2, comm.allReduce(r, ReduceOp.SUM), "int sum of ranks");
        Expect.equal(0L, comm.allReduce((long)r, ReduceOp.MIN), "long min of ranks");
        Expect.equal(n - 1.0, comm.allReduce((double)r, ReduceOp.MAX), "double max of ranks");
        Expect.equal(Long.MAX_VALUE, comm.allReduce(Long.MAX_VALUE - r, ReduceOp.MAX), "long max near the limit");
        final double[] values = {r, -r, 0.5 * r};
        comm.allReduce(values, ReduceOp.SUM);
        Expect.equal(Arrays.toString(new double[] {n * (n - 1) / 2.0, -n * (n - 1) / 2.0, n * (n - 1) / 4.0}),
            Arrays.toString(values), "element-wise double sums");
        final int[] gathered = comm.allGather(r * 3);
        final long[] longs = comm.allGather(new long[] {r, 100 + r});
        for (int i = 0; i < n; i++)
        {
            Expect.equal(i * 3, gathered[i], "gathered int of rank " + i);
            Expect.equal((long)i, longs[2 * i], "gathered long pair of rank " + i);
            Expect.equal(100L + i, longs[2 * i + 1], "gathered long pair of rank " + i);
        }
    }

    static void split(final Communicator world, final ExpectedLayout layout)
    {
        final int n = world.size();
        final int r = world.rank();
        // Reverse order by key: the highest world rank becomes rank 0 of its colour.
        try (Communicator byParity = world.split(r % 2, -r))
        {
            final int members = (n + 1 - r % 2) / 2;
            Expect.equal(members, byParity.size(), "size of the parity group");
            Expect.equal((members - 1) - r / 2, byParity.rank(), "rank in the parity group, ordered by key");
            Expect.equal(members, byParity.allReduce(1, ReduceOp.SUM), "collective inside the parity group");
        }
        final Communicator none = world.split(r == 0 ? Communicator.UNDEFINED : 1, r);
        if (r == 0)
        {
            Expect.equal(null, none, "UNDEFINED colour gives no communicator");
        }
        else
        {
            Expect.equal(n - 1, none.size(), "the others' group");
            none.close();
        }
        try (Communicator node = world.splitByNode())
        {
            final int total = world.allReduce(node.rank() == 0 ? node.size() : 0, ReduceOp.SUM);
            Expect.equal(n, total, "node groups cover every rank once");
            Expect.equal(layout.nodes(), world.allReduce(node.rank() == 0 ? 1 : 0, ReduceOp.SUM), "node groups of " +
                layout);
            Expect.equal(layout.nodeSize(layout.nodeOf(r)), node.size(), "node group of rank " + r + " of " + layout);
        }
    }

    static void pointToPoint(final Communicator comm)
    {
        final int n = comm.size();
        final int r = comm.rank();
        final int next = (r + 1) % n;
        final int previous = (r + n - 1) % n;
        // MPI-safe order (a send may wait for its receive): even ranks send first, odd ranks receive first.
        final long[] tagged = new long[1];
        final double[] room = new double[4];
        if (r % 2 == 0 || n == 1)
        {
            comm.send(new double[] {r, r + 0.5}, next, 7);
            comm.send(new long[] {r}, next, 8);
        }
        // Received in the order sent: with MPJ's multicore device a send waits for its matching receive.
        Expect.equal(2, comm.receive(room, 1, 3, previous, 7), "count of the tag-7 message");
        Expect.equal(1, comm.receive(tagged, previous, 8), "count of the tag-8 message");
        if (r % 2 == 1 && n > 1)
        {
            comm.send(new double[] {r, r + 0.5}, next, 7);
            comm.send(new long[] {r}, next, 8);
        }
        Expect.equal((long)previous, tagged[0], "tag-8 message from the previous rank");
        Expect.equal(previous + 0.5, room[2], "tag-7 message placed at the offset");
        comm.barrier();
    }

    static void self(final Communicator self, final Communicator world)
    {
        Expect.equal(1, self.size(), "self size");
        Expect.equal(0, self.rank(), "self rank");
        Expect.equal(world.rank(), self.worldRank(), "self keeps the world rank");
        self.barrier();
        Expect.equal(5L, self.allReduce(5L, ReduceOp.SUM), "self reduction");
    }

    static void badArguments(final Communicator comm)
    {
        final String at = "on rank " + comm.rank();
        Expect.throwsOf(IllegalArgumentException.class, () -> comm.broadcast(new double[1], comm.size()), at,
            "root " + comm.size() + " is out of range");
        Expect.throwsOf(IllegalArgumentException.class, () -> comm.broadcast((Object)"text", 0), at, "expected byte[]");
        Expect.throwsOf(IllegalArgumentException.class, () -> comm.send(new int[2], 0, 3, 0, 1), at,
            "offset 0 and count 3 do not fit");
        Expect.throwsOf(IllegalArgumentException.class, () -> comm.send(new int[2], 0, -1), at, "tag -1");
        Expect.throwsOf(IllegalArgumentException.class, () -> comm.send(new int[2], 0, Communicator.MAX_TAG + 1), at,
            "above Communicator.MAX_TAG");
        Expect.throwsOf(IllegalArgumentException.class, () -> comm.receive(new int[2], 0, Integer.MAX_VALUE), at,
            "above Communicator.MAX_TAG");
        Expect.throwsOf(IllegalArgumentException.class, () -> comm.split(-5, 0), at, "color -5");
        Expect.throwsOf(IllegalArgumentException.class, () -> comm.allReduce(new int[1], null), at, "op is null");
        comm.barrier();
    }

    /** Collective: ranks that pass different lengths to a collective all fail, and the communicator goes on. */
    static void countsDisagree(final Communicator comm)
    {
        if (comm.size() > 1)
        {
            final int rank = comm.rank();
            Expect.throwsOf(PshmemException.class, () -> comm.broadcast(new double[rank + 1], 0),
                "broadcast() on rank " + rank + ": root 0 sends 1 double elements but rank 1 passed 2 double elements");
            Expect.throwsOf(PshmemException.class, () -> comm.allReduce(new long[rank + 1], ReduceOp.SUM),
                "allReduce() on rank " + rank + ": rank 0 contributes 1 long elements but rank 1 passed 2 long " +
                "elements");
            Expect.throwsOf(PshmemException.class, () -> comm.allGather(new int[rank == 0 ? 2 : 1]),
                "allGather() on rank " + rank + ": rank 0 contributes 2 int elements but rank 1 passed 1 int " +
                "elements");
        }
        // Every rank failed at the same step, so the next collective is in step.
        Expect.equal((long)comm.size(), comm.allReduce(1L, ReduceOp.SUM), "allReduce after the refused ones");
    }

    /** A second Pshmem.init while this rank's session is open is refused; the first goes on working. */
    static void secondSessionRefused(final Pshmem pshmem)
    {
        final int rank = pshmem.world().rank();
        Expect.throwsOf(IllegalStateException.class, () -> Pshmem.init(pshmem.args()),
            "Pshmem.init() on rank " + rank + ": this rank already has an open session");
        Expect.throwsOf(IllegalStateException.class, () -> Pshmem.init(new String[0]),
            "Pshmem.init() on rank " + rank + ": this rank already has an open session");
        pshmem.world().barrier();
    }
}
