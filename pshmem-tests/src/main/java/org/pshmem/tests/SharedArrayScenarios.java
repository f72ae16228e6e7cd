package org.pshmem.tests;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

import org.pshmem.api.Communicator;
import org.pshmem.api.ElementType;
import org.pshmem.api.NodeGroups;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedByteArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.api.SharedFloatArray;
import org.pshmem.api.SharedIntArray;
import org.pshmem.api.SharedLongArray;
import org.pshmem.api.SharedShortArray;

/**
 * Java counterparts of upstream pshmem's shared-array test scenarios (section 5 of the semantics), plus every
 * rejected input. Each runs on every rank of a job and checks on every rank.
 */
public final class SharedArrayScenarios
{
    /** Element types of the upstream suite. */
    static final ElementType[] UPSTREAM_TYPES =
        {ElementType.INT32, ElementType.INT64, ElementType.FLOAT32, ElementType.FLOAT64};

    private SharedArrayScenarios()
    {
    }

    /**
     * @return every scenario by name, in a stable order.
     */
    public static Map<String, Scenario> all()
    {
        final Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("nodeLayout", p -> nodeLayout(p.world(), ExpectedLayout.of(p)));
        all.put("world", p -> writeInTurn(p.world(), null, ExpectedLayout.of(p), UPSTREAM_TYPES));
        all.put("allTypesOutsideTryWithResources", p -> createAndCloseExplicitly(p.world()));
        all.put("splitCommunicators", p -> splitCommunicators(p.world()));
        all.put("selfCommunicator", p -> writeInTurn(p.self(), null, UPSTREAM_TYPES));
        all.put("reusedAndWrongNodeCommunicators", p -> nodeCommunicators(p.world()));
        all.put("shapeValidation", p -> shapeValidation(p.world()));
        all.put("zeroCopyViews", p -> zeroCopyViews(p.world()));
        all.put("viewKeptPastClose", p -> viewKeptPastClose(p.world()));
        all.put("zeroElements", p -> zeroElements(p.world()));
        all.put("manyArraysAlive", p -> manyArrays(p.world(), 1000));
        all.put("rejectedWrites", p -> rejectedWrites(p.world()));
        all.put("unevenLastNode", p -> unevenLastNode(p.world(), ExpectedLayout.of(p)));
        all.put("largeBlocksAndChunks", p -> largeBlocks(p.world()));
        all.put("setWholeArray", p -> setWholeArray(p.world()));
        all.put("setRegion", p -> setRegion(p.world()));
        all.put("assignRegion", p -> assignRegion(p.world()));
        all.put("copyToRegion", p -> copyToRegion(p.world()));
        all.put("typedAllGather", p -> typedAllGather(p.world()));
        all.put("reductions", p -> reductions(p.world()));
        all.put("reductionsWithNaN", p -> reductionsWithNaN(p.world()));
        all.put("reductionMisuse", p -> reductionMisuse(p.world()));
        return all;
    }

    /**
     * Upstream scenario 1: every writable rank in turn writes its value over a 2x5x10 array in 1x1x5 blocks,
     * with {@code set()} and again with {@code assign()}; then a full assignment; then contiguity of a row.
     * Collective over {@code comm}.
     *
     * @param comm   the ranks.
     * @param groups node groups to pass to the arrays, or null to let them split {@code comm}.
     * @param types  element types to run with.
     */
    public static void writeInTurn(final Communicator comm, final NodeGroups groups, final ElementType... types)
    {
        writeInTurn(comm, groups, null, types);
    }

    /**
     * Upstream scenario 1, where the node layout of {@code comm} is known: the writable ranks must be the ones
     * the layout allows, so that every writer the layout has is tried.
     */
    static void writeInTurn(
        final Communicator comm, final NodeGroups groups, final ExpectedLayout layout, final ElementType... types)
    {
        for (final ElementType type : types)
        {
            try (SharedArray<?> shm = SharedArray.create(comm, groups, type, 2, 5, 10))
            {
                if (null != layout)
                {
                    expectWriters(shm, layout);
                }
                writeInTurn(comm, shm);
            }
        }
    }

    /** The ranks an array of the world allows to write are the ones whose node-rank every node has. */
    private static void expectWriters(final SharedArray<?> shm, final ExpectedLayout layout)
    {
        for (int p = 0; p < layout.ranks(); p++)
        {
            Expect.equal(layout.canWrite(p), shm.canWriteFrom(p), "rank " + p + " may write, with " + layout);
        }
    }

    /**
     * The node layout the job was started with, as every rank sees it: the node communicator's size and this
     * rank's place in it, which ranks share its node, and an array's node count, largest node and writers.
     */
    static void nodeLayout(final Communicator world, final ExpectedLayout layout)
    {
        final int rank = world.rank();
        final String where = "rank " + rank + " of " + layout;
        Expect.equal(layout.ranks(), world.size(), "ranks of the world, " + where);
        try (Communicator node = world.splitByNode())
        {
            Expect.equal(layout.nodeSize(layout.nodeOf(rank)), node.size(), "ranks on the node of " + where);
            Expect.equal(layout.nodeRankOf(rank), node.rank(), "node-rank of " + where);
            // Each rank names its node by the world rank of the node's first rank: the same name exactly for the
            // ranks the layout puts together.
            final int[] leaders = world.allGather(node.allReduce(rank, ReduceOp.MIN));
            for (int other = 0; other < world.size(); other++)
            {
                Expect.equal(layout.nodeOf(other) == layout.nodeOf(rank), leaders[other] == leaders[rank],
                    "rank " + other + " shares the node of " + where + " (first ranks of nodes: " +
                    java.util.Arrays.toString(leaders) + ")");
            }
        }
        try (SharedDoubleArray shm = SharedArray.ofDoubles(world, 3))
        {
            Expect.equal(layout.nodes(), shm.nodeCount(), "nodes holding a copy of an array, " + where);
            Expect.equal(layout.nodeSize(0), shm.processesPerNode(), "ranks on the largest node, " + where);
            expectWriters(shm, layout);
            Expect.isTrue(shm.toString().contains("replicated on " + layout.nodes() + " nodes, each with " +
                layout.nodeSize(0) + " processes (" + layout.ranks() + " total)"), "summary of " + where + ": " + shm);
        }
    }

    private static <A> void writeInTurn(final Communicator comm, final SharedArray<A> shm)
    {
        final long[] shape = shm.shape();
        Values.expectAll(shm, flat -> 0, "fresh array");
        final int size = comm.size();
        for (int p = 0; p < size; p++)
        {
            if (!shm.canWriteFrom(p))
            {
                continue;
            }
            final boolean me = comm.rank() == p;
            final long value = p + 1;
            for (long i = 0; i < shape[0]; i++)
            {
                for (long j = 0; j < shape[1]; j++)
                {
                    for (long k = 0; k < shape[2]; k += 5)
                    {
                        shm.set(me ? Values.make(shm, 5, e -> value) : null, me ? Region.at(i, j, k).size(1, 1, 5) :
                            null, p);
                    }
                }
            }
            Values.expectAll(shm, flat -> value, "after set() from rank " + p);
            final long second = value + size;
            for (long i = 0; i < shape[0]; i++)
            {
                for (long j = 0; j < shape[1]; j++)
                {
                    for (long k = 0; k < shape[2]; k += 5)
                    {
                        shm.assign(me ? Values.make(shm, 5, e -> second) : null, Region.at(i, j, k).size(1, 1, 5));
                    }
                }
            }
            Values.expectAll(shm, flat -> second, "after assign() from rank " + p);
        }
        final int writer = lastWritable(shm, size);
        shm.assign(comm.rank() == writer ? Values.make(shm, 100, e -> e % 100) : null, Values.whole(shape));
        Values.expectAll(shm, flat -> flat % 100, "after a full assign() from rank " + writer);
        final Buffer row = Values.view(shm, 1, 3);
        Expect.equal(10, row.remaining(), "length of the row view");
        Expect.isTrue(row.isDirect() && row.isReadOnly(), "a row view is direct and read-only");
        for (int k = 0; k < 10; k++)
        {
            Expect.equal(Values.get(shm, 1, 3, k), Values.element(row, k), "row view element " + k);
        }
    }

    static int lastWritable(final SharedArray<?> shm, final int size)
    {
        int writer = size - 1;
        while (!shm.canWriteFrom(writer))
        {
            writer--;
        }
        return writer;
    }

    /**
     * Upstream scenario 2: the same, with arrays created and closed by hand, and close twice.
     */
    static void createAndCloseExplicitly(final Communicator comm)
    {
        final List<SharedArray<?>> arrays = new ArrayList<>();
        for (final ElementType type : ElementType.values())
        {
            arrays.add(SharedArray.create(comm, type, 3, 4));
        }
        for (final SharedArray<?> shm : arrays)
        {
            final int writer = lastWritable(shm, comm.size());
            setFrom(comm, shm, writer, Region.at(0, 0).size(3, 4), e -> e + 1);
            Values.expectAll(shm, flat -> flat + 1, shm.elementType().dtype() + " array set by hand");
        }
        for (final SharedArray<?> shm : arrays)
        {
            shm.close();
            shm.close();
            Expect.isTrue(shm.isClosed(), "closed after close()");
        }
    }

    /**
     * Upstream scenario 3: the world split into two groups, and into rows and columns of every grid shape,
     * each with its own node split; scenario 1 on each.
     */
    static void splitCommunicators(final Communicator world)
    {
        try (Communicator half = world.split(world.rank() % 2, world.rank());
            NodeGroups groups = NodeGroups.split(half))
        {
            writeInTurn(half, dividing(half, groups), ElementType.FLOAT64, ElementType.INT32);
        }
        final int size = world.size();
        for (int rows = 1; rows <= size; rows++)
        {
            if (size % rows != 0)
            {
                continue;
            }
            final int cols = size / rows;
            final int row = world.rank() / cols;
            final int col = world.rank() % cols;
            try (Communicator rowComm = world.split(row, col);
                Communicator colComm = world.split(col, row);
                NodeGroups rowGroups = NodeGroups.split(rowComm);
                NodeGroups colGroups = NodeGroups.split(colComm))
            {
                Expect.equal(cols, rowComm.size(), "size of the row communicator of a " + rows + "x" + cols + " grid");
                Expect.equal(col, rowComm.rank(), "rank in the row communicator");
                writeInTurn(rowComm, dividing(rowComm, rowGroups), ElementType.FLOAT64);
                writeInTurn(colComm, dividing(colComm, colGroups), ElementType.INT64);
            }
        }
    }

    /**
     * Collective: {@code writer} sets {@code region} of {@code shm} to {@code value(i)} for its i-th element.
     */
    static <A> void setFrom(
        final Communicator comm, final SharedArray<A> shm, final int writer, final Region region,
        final LongUnaryOperator value)
    {
        final boolean me = comm.rank() == writer;
        shm.set(me ? Values.make(shm, (int)region.count(), value) : null, me ? region : null, writer);
    }

    /** Node groups whose node size divides the communicator size on every rank (upstream's rule for passed
     *  node communicators), else null so the array splits by itself. */
    private static NodeGroups dividing(final Communicator comm, final NodeGroups groups)
    {
        final int ok = comm.size() % groups.node().size() == 0 &&
            groups.nodeRank().size() == comm.size() / groups.node().size() ? 1 : 0;
        return comm.allReduce(ok, ReduceOp.MIN) == 1 ? groups : null;
    }

    /**
     * Upstream scenario 5: node communicators made once and passed to several arrays; and wrong ones rejected
     * on every rank.
     */
    static void nodeCommunicators(final Communicator world)
    {
        try (NodeGroups split = NodeGroups.split(world))
        {
            final NodeGroups groups = dividing(world, split);
            if (null != groups)
            {
                final List<SharedDoubleArray> arrays = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    arrays.add((SharedDoubleArray)SharedArray.create(world, groups, ElementType.FLOAT64, 4, 4));
                }
                for (int i = 0; i < arrays.size(); i++)
                {
                    final long fill = i + 7;
                    final SharedDoubleArray shm = arrays.get(i);
                    final int writer = lastWritable(shm, world.size());
                    shm.set(world.rank() == writer ? Values.make(shm, 16, e -> fill) : null, writer);
                }
                for (int i = 0; i < arrays.size(); i++)
                {
                    final long fill = i + 7;
                    Values.expectAll(arrays.get(i), flat -> fill, "array " + i + " on reused node communicators");
                    arrays.get(i).close();
                }
            }
        }
        final int size = world.size();
        if (size >= 2)
        {
            // The whole world as node communicator means one node, so a node-rank communicator of every rank
            // is one rank per node too many.
            Expect.throwsOf(IllegalArgumentException.class,
                () -> SharedArray.create(world, NodeGroups.of(world, world), ElementType.FLOAT64, 2, 2),
                "failed on rank 0", "node-rank communicator has " + size + " ranks but there are 1 nodes");
        }
        if (size >= 3)
        {
            try (Communicator wrongNode = world.split(world.rank() < size - 1 ? 0 : 1, world.rank());
                Communicator nodeRank = world.split(wrongNode.rank(), world.rank()))
            {
                Expect.throwsOf(IllegalArgumentException.class,
                    () -> SharedArray.create(world, NodeGroups.of(wrongNode, nodeRank), ElementType.INT32, 5),
                    "failed on rank 0", "node communicator has " + (size - 1) + " ranks, which does not divide");
            }
        }
    }

    /**
     * Upstream scenario 6: good shapes work and are zero-filled; bad and mismatched shapes fail on every rank.
     */
    static void shapeValidation(final Communicator comm)
    {
        final long[][] good = {{0}, {1}, {7}, {2, 3}, {2, 3, 4}, {4, 0, 2}, {1, 1, 1, 1, 1}};
        for (final long[] shape : good)
        {
            try (SharedArray<?> shm = SharedArray.create(comm, ElementType.INT64, shape))
            {
                Expect.equal(java.util.Arrays.toString(shape), java.util.Arrays.toString(shm.shape()), "shape");
                Expect.equal(java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b), shm.size(), "size");
                Values.expectAll(shm, flat -> 0, "zero fill of " + java.util.Arrays.toString(shape));
            }
        }
        Expect.throwsOf(IllegalArgumentException.class, () -> SharedArray.create(comm, ElementType.FLOAT64, -1),
            "failed on rank 0", "extent -1 of dimension 0", "negative");
        Expect.throwsOf(IllegalArgumentException.class, () -> SharedArray.create(comm, ElementType.FLOAT64, 3, -2),
            "failed on rank 0", "extent -2 of dimension 1");
        Expect.throwsOf(IllegalArgumentException.class, () -> SharedArray.create(comm, ElementType.FLOAT64),
            "failed on rank 0", "no dimensions");
        Expect.throwsOf(IllegalArgumentException.class,
            () -> SharedArray.create(comm, ElementType.FLOAT64, (long[])null), "failed on rank 0", "shape is null");
        Expect.throwsOf(IllegalArgumentException.class,
            () -> SharedArray.create(comm, ElementType.INT8, Long.MAX_VALUE, 3), "failed on rank 0", "bytes");
        Expect.throwsOf(IllegalArgumentException.class, () -> SharedArray.create(comm, null, 3),
            "failed on rank 0", "type is null");
        // 2^62 bytes: no node holds it; refused before anything is allocated, on every transport.
        Expect.throwsOf(IllegalArgumentException.class, () -> SharedArray.ofDoubles(comm, 1L << 59),
            "failed on rank 0", "the array needs 4611686018427387904 bytes of node memory, more than ");
        if (comm.size() >= 2)
        {
            final long[] mine = comm.rank() == 0 ? new long[] {3, 5} : new long[] {5, 3};
            Expect.throwsOf(IllegalArgumentException.class,
                () -> SharedArray.create(comm, ElementType.FLOAT64, mine), "ranks disagree", "rank 0",
                (comm.size() == 2 ? "rank 1" : "ranks 1-" + (comm.size() - 1)) + " differ from rank 0, which asked " +
                "for float64 with 2 dimensions; this rank asked for float64 of shape " + (comm.rank() == 0 ? "(3, 5)" :
                "(5, 3)"));
            final ElementType type = comm.rank() == comm.size() - 1 ? ElementType.INT32 : ElementType.FLOAT64;
            Expect.throwsOf(IllegalArgumentException.class, () -> SharedArray.create(comm, type, 3, 5),
                "ranks disagree", "rank " + (comm.size() - 1));
        }
        // After all that, the communicator is still in step.
        try (SharedArray<?> shm = SharedArray.create(comm, ElementType.INT32, 2))
        {
            Values.expectAll(shm, flat -> 0, "array made after rejected ones");
        }
    }

    /**
     * Upstream scenario 7: views are the node's memory itself, not copies.
     */
    static void zeroCopyViews(final Communicator comm)
    {
        try (SharedDoubleArray shm = SharedArray.ofDoubles(comm, 4, 6))
        {
            final DoubleBuffer row = shm.view(2);
            final DoubleBuffer all = shm.view();
            final DoubleBuffer flat = shm.flatView(13, 4);
            Expect.isTrue(row.isDirect() && all.isDirect() && flat.isDirect(), "views are direct buffers");
            Expect.equal(24, all.remaining(), "whole-array view length");
            final int writer = lastWritable(shm, comm.size());
            final boolean me = comm.rank() == writer;
            shm.set(me ? new double[] {1.5, 2.5, 3.5, 4.5, 5.5, 6.5} : null, me ? Region.at(2, 0).size(1, 6) : null,
                writer);
            for (int k = 0; k < 6; k++)
            {
                Expect.equal(1.5 + k, row.get(k), "row view taken before set() sees element " + k);
                Expect.equal(1.5 + k, all.get(12 + k), "whole view taken before set() sees element " + k);
            }
            Expect.equal(2.5, flat.get(0), "flat view element 0");
            Expect.throwsOf(ReadOnlyBufferException.class, () -> row.put(0, 9.0));
            Expect.equal(1.5, shm.get(2, 0), "memory unchanged by a refused write through a view");
        }
    }

    /**
     * Views kept past {@code close()} (issue 18): once every rank of every node has closed the array, reading
     * them reads zeros for a small array (a block of the node arena, zeroed and kept out of reuse) and, for an
     * array with a segment of its own, throws {@link IllegalStateException} on Java 22 and later and reads zeros
     * on Java 17 to 21, as the Javadoc of {@code close()} says; the JVM never crashes, the closed array refuses
     * a new view, and the next array never shows through the kept views.
     */
    static void viewKeptPastClose(final Communicator comm)
    {
        for (final int rows : new int[] {4, 64 * 1024})
        {
            final SharedDoubleArray shm = SharedArray.ofDoubles(comm, rows, 6);
            final int writer = lastWritable(shm, comm.size());
            final double[] ones = new double[rows * 6];
            java.util.Arrays.fill(ones, 1.0);
            shm.set(comm.rank() == writer ? ones : null, writer);
            final DoubleBuffer all = shm.view();
            final DoubleBuffer row = shm.view(3);
            final DoubleBuffer flat = shm.flatView(5, 3);
            Expect.equal(1.0, all.get(rows * 6 - 1) + row.get(5) + flat.get(2) - 2.0,
                "views read the data before close()");
            shm.close();
            Expect.throwsOf(IllegalStateException.class, shm::view, "view() on rank " + comm.rank(), "is closed");
            comm.barrier();
            try (SharedDoubleArray next = SharedArray.ofDoubles(comm, rows, 6))
            {
                next.set(comm.rank() == writer ? ones : null, writer);
                final boolean throwsAfterClose = Runtime.version().feature() >= 22 && !fromArena(rows * 6 * 8L);
                for (final DoubleBuffer kept : List.of(all, row, flat))
                {
                    if (throwsAfterClose)
                    {
                        Expect.throwsOf(IllegalStateException.class, () -> kept.get(kept.limit() - 1));
                    }
                    else
                    {
                        Expect.equal(0.0, kept.get(0) + kept.get(kept.limit() - 1),
                            "a view kept past close() reads zeros (" + rows + " rows)");
                    }
                }
                comm.barrier();
            }
        }
    }

    /** @return true when an array of {@code bytes} is a block of its communicator's node arena. */
    private static boolean fromArena(final long bytes)
    {
        return org.pshmem.spi.Windows.SHIFT >= 26 &&
            bytes <= org.pshmem.spi.Setting.SMALL_ARRAY_BYTES.longValue();
    }

    /**
     * Upstream scenario 8: zero-element arrays exist, read nothing and refuse writes on every rank.
     */
    static void zeroElements(final Communicator comm)
    {
        for (final long[] shape : new long[][] {{0}, {3, 0}})
        {
            try (SharedDoubleArray shm = SharedArray.ofDoubles(comm, shape))
            {
                Expect.equal(0L, shm.size(), "size");
                Expect.throwsOf(IndexOutOfBoundsException.class, () -> shm.getFlat(0), "out of range");
                Expect.throwsOf(IndexOutOfBoundsException.class,
                    () -> shm.get(new long[shape.length]), "out of range");
                Expect.equal(0, shm.view().remaining(), "view of nothing");
                Expect.throwsOf(IllegalArgumentException.class,
                    () -> shm.set(comm.rank() == 0 ? new double[0] : null, Values.whole(shape), 0),
                    "set() failed on rank 0", "no elements");
                Expect.throwsOf(IllegalArgumentException.class,
                    () -> shm.set(comm.rank() == 0 ? new double[0] : null, 0), "set() failed on rank 0", "no elements");
                Expect.throwsOf(IllegalArgumentException.class,
                    () -> shm.assign(comm.rank() == 0 ? new double[0] : null, Values.whole(shape)),
                    "assign() failed on rank 0", "no elements");
                shm.copyTo(Values.whole(shape), new double[0]);
                Expect.throwsOf(IllegalArgumentException.class,
                    () -> shm.copyTo(shape.length == 1 ? Region.at(0).size(1) : Region.at(0, 0).size(1, 1),
                        new double[1]), "copyTo() on rank " + comm.rank(), "does not fit");
                Expect.isTrue(shm.toString().contains("shape = " + (shape.length == 1 ? "(0,)" : "(3, 0)")),
                    "string form names the shape: " + shm);
            }
        }
    }

    /**
     * Upstream scenario 9: many small arrays alive at once.
     */
    static void manyArrays(final Communicator comm, final int count)
    {
        final List<SharedIntArray> arrays = new ArrayList<>();
        try (NodeGroups groups = NodeGroups.split(comm))
        {
            final NodeGroups reuse = dividing(comm, groups);
            for (int i = 0; i < count; i++)
            {
                arrays.add((SharedIntArray)SharedArray.create(comm, reuse, ElementType.INT32, 4));
            }
            for (int i = 0; i < count; i++)
            {
                final SharedIntArray shm = arrays.get(i);
                final int writer = shm.canWriteFrom(i % comm.size()) ? i % comm.size() : 0;
                shm.set(comm.rank() == writer ? new int[] {i, i, i, i} : null, writer);
            }
            for (int i = 0; i < count; i++)
            {
                final long value = i;
                Values.expectAll(arrays.get(i), flat -> value, "array " + i + " of " + count);
                arrays.get(i).close();
            }
        }
    }

    /**
     * Every rejected write: each fails on every rank with the same message, and leaves the array intact and
     * every rank in step.
     */
    static void rejectedWrites(final Communicator comm)
    {
        final int size = comm.size();
        final int rank = comm.rank();
        try (SharedDoubleArray shm = SharedArray.ofDoubles(comm, 3, 5))
        {
            final int w = lastWritable(shm, size);
            final boolean me = rank == w;
            shm.set(me ? Values.make(shm, 15, e -> e) : null, w);
            final String at = "set() failed on rank " + w;
            final double[] six = me ? new double[6] : null;
            final Region twoByThree = Region.at(0, 0).size(2, 3);
            // Generics keep a wrong array type out at compile time; raw or wildcard code still gets it through.
            Expect.throwsOf(IllegalArgumentException.class,
                () -> untyped(shm).set(me ? new int[6] : null, twoByThree, w), at, "data is int[]", "float64");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> untyped(shm).set(me ? new float[15] : null, w), at, "data is float[]", "float64");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> shm.set(six, Region.at(0).size(6), w), at, "Region[offset=(0,), shape=(6,)] has 1 dimensions",
                "array has 2");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> shm.set(six, Region.at(0, 0, 0).size(1, 2, 3), w), at, "has 3 dimensions", "array has 2");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> shm.set(six, Region.at(2, 1).size(2, 3), w), at, "does not fit", "dimension 0");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> shm.set(six, Region.at(0, 3).size(2, 3), w), at, "does not fit", "dimension 1");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> shm.set(me ? new double[5] : null, twoByThree, w), at, "region shape (2, 3) holds 6 elements",
                "data has 5");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> shm.set(me ? new double[14] : null, w), at, "data has 14 elements but the array (3, 5) has 15");
            Expect.throwsOf(IllegalArgumentException.class, () -> shm.set(null, twoByThree, w), at, "data is null");
            Expect.throwsOf(IllegalArgumentException.class, () -> shm.set(null, w), at, "data is null");
            Expect.throwsOf(IllegalArgumentException.class, () -> shm.set(six, null, w), at,
                "region is null on the writing rank");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> shm.assign(six, Region.at(2, 1).size(2, 3)), "assign() failed on rank " + w, "does not fit");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> untyped(shm).assign(me ? new long[6] : null, twoByThree), "assign() failed on rank " + w,
                "data is long[]");
            Expect.throwsOf(IllegalArgumentException.class, () -> shm.assign(six, null), "assign() failed on rank " + w,
                "region is null");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> shm.set(null, null, size), "fromRank " + size + " is out of range");
            Expect.throwsOf(IllegalArgumentException.class, () -> shm.set(null, -1), "fromRank -1 is out of range");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> shm.assign(null, null), "exactly one rank must pass data, but none did");
            if (size >= 2)
            {
                Expect.throwsOf(IllegalArgumentException.class,
                    () -> shm.set(null, null, rank), "ranks disagree on fromRank");
                Expect.throwsOf(IllegalArgumentException.class, () -> shm.assign(rank < 2 ? new double[15] : null,
                    Values.whole(3, 5)), "but more than one did (ranks 0 and 1 among them)");
            }
            Values.expectAll(shm, flat -> flat, "array after rejected writes");
            rejectedCopies(shm, "copyTo() on rank " + rank);
            shm.set(me ? new double[] {-1, -2} : null, me ? Region.at(2, 3).size(1, 2) : null, w);
            Values.expectAll(shm, flat -> flat == 13 ? -1 : flat == 14 ? -2 : flat, "array after a good write");
            shm.close();
            Expect.throwsOf(IllegalStateException.class, () -> shm.get(0, 0), "on rank " + rank, "closed");
            Expect.throwsOf(IllegalStateException.class, () -> shm.set(null, null, 0), "closed");
            Expect.throwsOf(IllegalStateException.class, () -> shm.set(null, 0), "closed");
            Expect.throwsOf(IllegalStateException.class, () -> shm.assign(null, null), "closed");
            Expect.throwsOf(IllegalStateException.class, () -> shm.copyTo(Region.at(0, 0).size(1, 1), new double[1]),
                "closed");
            Expect.throwsOf(IllegalStateException.class, shm::view, "closed");
            Expect.throwsOf(IllegalStateException.class, () -> Values.getFlat(shm, 0), "on rank " + rank, "closed");
            shm.close();
        }
    }

    /**
     * Local: every rejected {@code copyTo()} of a 3x5 float64 array throws on this rank alone, and names it.
     */
    private static void rejectedCopies(final SharedDoubleArray shm, final String at)
    {
        final double[] six = new double[6];
        final Region twoByThree = Region.at(0, 0).size(2, 3);
        Expect.throwsOf(IllegalArgumentException.class, () -> untyped(shm).copyTo(twoByThree, new int[6]), at,
            "dest is int[] but the array holds float64");
        Expect.throwsOf(IllegalArgumentException.class, () -> shm.copyTo(twoByThree, null), at, "dest is null");
        Expect.throwsOf(IllegalArgumentException.class, () -> shm.copyTo(null, six), at, "region is null");
        Expect.throwsOf(IllegalArgumentException.class, () -> shm.copyTo(Region.at(0).size(6), six), at,
            "has 1 dimensions but the array has 2");
        Expect.throwsOf(IllegalArgumentException.class, () -> shm.copyTo(Region.at(2, 2).size(2, 3), six), at,
            "does not fit", "dimension 0");
        Expect.throwsOf(IllegalArgumentException.class, () -> shm.copyTo(Region.at(0, 0).size(2, 2), six), at,
            "region shape (2, 2) holds 4 elements but dest has 6");
    }

    /**
     * The array with its element type erased, as raw or wildcard code sees it: the compiler then takes any
     * array, so only the run-time check stands between a wrong one and the memory.
     */
    @SuppressWarnings("unchecked")
    private static SharedArray<Object> untyped(final SharedArray<?> shm)
    {
        return (SharedArray<Object>)shm;
    }

    /**
     * The uneven last node: a writer whose node-rank is missing on some node is refused on every rank; which
     * writers those are comes from the layout the job was started with.
     */
    static void unevenLastNode(final Communicator comm, final ExpectedLayout layout)
    {
        try (SharedShortArray shm = (SharedShortArray)SharedArray.create(comm, ElementType.INT16, 6))
        {
            for (int p = 0; p < comm.size(); p++)
            {
                final int writer = p;
                final boolean me = comm.rank() == p;
                final short[] data = me ? Values.make(shm, 6, e -> writer + 1) : null;
                if (layout.canWrite(p))
                {
                    shm.set(data, p);
                    Values.expectAll(shm, flat -> writer + 1, "after set() from rank " + p);
                }
                else
                {
                    Expect.throwsOf(IllegalArgumentException.class, () -> shm.set(data, writer),
                        "fromRank " + p + " has node-rank", "not every node has");
                    Expect.throwsOf(IllegalArgumentException.class,
                        () -> shm.assign(data, Region.at(0).size(6)), "fromRank " + p + " has node-rank");
                }
            }
            Expect.equal(layout.nodes(), shm.nodeCount(), "nodes counted by rank " + comm.rank() + " of " + layout);
        }
    }

    /**
     * Blocks larger than a replication chunk, with runs that merge across rows, strided blocks and a
     * single-element block.
     */
    static void largeBlocks(final Communicator comm)
    {
        try (SharedDoubleArray shm = (SharedDoubleArray)SharedArray.create(comm, ElementType.FLOAT64, 700, 1000))
        {
            final boolean me = comm.rank() == 0;
            shm.set(me ? Values.make(shm, 700_000, e -> e) : null, 0);
            Values.expectAll(shm, flat -> flat, "700x1000 array set whole");
            final int w = lastWritable(shm, comm.size());
            final boolean writer = comm.rank() == w;
            shm.set(writer ? Values.make(shm, 300 * 7, e -> -e) : null,
                writer ? Region.at(400, 993).size(300, 7) : null, w);
            Values.expectAll(shm, flat ->
            {
                final long r = flat / 1000;
                final long c = flat % 1000;
                return r >= 400 && c >= 993 ? -((r - 400) * 7 + (c - 993)) : flat;
            }, "after a 300x7 strided block");
            shm.set(writer ? new double[] {0.25} : null, writer ? Region.at(699, 999).size(1, 1) : null, w);
            Expect.equal(0.25, Values.get(shm, 699, 999), "last element");
        }
    }

    /**
     * {@code set(data, fromRank)}: each writable rank in turn fills the whole array, of every element type;
     * every rank of every node then reads the writer's values.
     */
    static void setWholeArray(final Communicator comm)
    {
        for (final ElementType type : ElementType.values())
        {
            try (SharedArray<?> shm = SharedArray.create(comm, type, 4, 3))
            {
                setWholeInTurn(comm, shm);
            }
        }
        // The typed subclass takes its own array type with no cast.
        try (SharedDoubleArray shm = SharedArray.ofDoubles(comm, 2, 2))
        {
            final int w = lastWritable(shm, comm.size());
            shm.set(comm.rank() == w ? new double[] {0.5, 1.5, 2.5, 3.5} : null, w);
            Expect.equal(2.5, shm.get(1, 0), "element (1, 0) of a whole-array set()");
        }
    }

    private static <A> void setWholeInTurn(final Communicator comm, final SharedArray<A> shm)
    {
        for (int p = 0; p < comm.size(); p++)
        {
            if (shm.canWriteFrom(p))
            {
                final long base = 10 * (p + 1);
                shm.set(comm.rank() == p ? Values.make(shm, (int)shm.size(), e -> base + e) : null, p);
                Values.expectAll(shm, flat -> base + flat, "after a whole-array set() from rank " + p);
            }
        }
    }

    /**
     * {@code set(data, region, fromRank)}: blocks of a 3x4x5 array (inner, whole rows, whole planes, one
     * element, empty) from different writers. The other ranks pass null or a region of their own, which is
     * ignored.
     */
    static void setRegion(final Communicator comm)
    {
        for (final ElementType type : UPSTREAM_TYPES)
        {
            try (SharedArray<?> shm = SharedArray.create(comm, type, 3, 4, 5))
            {
                setRegions(comm, shm);
            }
        }
    }

    private static <A> void setRegions(final Communicator comm, final SharedArray<A> shm)
    {
        final long[] expected = new long[(int)shm.size()];
        final Region[] regions = {
            Region.at(1, 1, 1).size(2, 2, 3),
            Region.at(0, 2, 0).size(3, 2, 5),
            Region.at(2, 0, 0).size(1, 4, 5),
            Region.at(0, 3, 4).size(1, 1, 1),
            Region.at(1, 0, 2).size(2, 0, 3),
        };
        for (int r = 0; r < regions.length; r++)
        {
            final int writer = lastWritable(shm, comm.size() - r % comm.size());
            final boolean me = comm.rank() == writer;
            final long base = 100 * (r + 1);
            // Only the writer's region counts: the others pass null, or every other turn one that does not fit.
            final Region elsewhere = r % 2 == 0 ? null : Region.at(9, 9, 9).size(9, 9, 9);
            shm.set(me ? Values.make(shm, (int)regions[r].count(), e -> base + e) : null, me ? regions[r] : elsewhere,
                writer);
            paint(expected, shm.shape(), regions[r], base);
            Values.expectAll(shm, flat -> expected[(int)flat], "after set() of " + regions[r] + " from rank " + writer);
        }
    }

    /** Writes {@code base + i} into element i (row-major) of {@code region} in {@code expected}. */
    private static void paint(final long[] expected, final long[] shape, final Region region, final long base)
    {
        final long[] flat = flatIndices(shape, region);
        for (int i = 0; i < flat.length; i++)
        {
            expected[(int)flat[i]] = base + i;
        }
    }

    /** @return the flat index in an array of {@code shape} of each element of {@code region}, in row-major order. */
    private static long[] flatIndices(final long[] shape, final Region region)
    {
        final long[] offset = region.offset();
        final long[] extent = region.shape();
        final long[] index = new long[extent.length];
        final long[] flat = new long[(int)region.count()];
        for (int i = 0; i < flat.length; i++)
        {
            for (int d = 0; d < shape.length; d++)
            {
                flat[i] = flat[i] * shape[d] + offset[d] + index[d];
            }
            for (int d = extent.length - 1; d >= 0 && ++index[d] == extent[d]; d--)
            {
                index[d] = 0;
            }
        }
        return flat;
    }

    /**
     * {@code assign(data, region)}: every writable rank in turn is the one that passes data; the others pass
     * null data and a null region.
     */
    static void assignRegion(final Communicator comm)
    {
        for (final ElementType type : UPSTREAM_TYPES)
        {
            try (SharedArray<?> shm = SharedArray.create(comm, type, 4, 6))
            {
                assignInTurn(comm, shm);
            }
        }
    }

    private static <A> void assignInTurn(final Communicator comm, final SharedArray<A> shm)
    {
        final long[] expected = new long[(int)shm.size()];
        for (int p = 0; p < comm.size(); p++)
        {
            if (!shm.canWriteFrom(p))
            {
                continue;
            }
            final Region region = Region.at(p % 3, p % 4).size(2, 3);
            final long base = 1000 * (p + 1);
            final boolean me = comm.rank() == p;
            shm.assign(me ? Values.make(shm, 6, e -> base + e) : null, me ? region : null);
            paint(expected, shm.shape(), region, base);
            Values.expectAll(shm, flat -> expected[(int)flat], "after assign() of " + region + " from rank " + p);
        }
    }

    /**
     * {@code copyTo(region, dest)}: blocks of every shape read back from a known array, of every element type.
     */
    static void copyToRegion(final Communicator comm)
    {
        for (final ElementType type : ElementType.values())
        {
            try (SharedArray<?> shm = SharedArray.create(comm, type, 3, 4, 5))
            {
                copyBlocks(comm, shm);
            }
        }
    }

    private static <A> void copyBlocks(final Communicator comm, final SharedArray<A> shm)
    {
        final int w = lastWritable(shm, comm.size());
        // Values stay below 128, exact in int8.
        shm.set(comm.rank() == w ? Values.make(shm, 60, e -> e + 1) : null, w);
        final Region[] regions = {
            Values.whole(3, 4, 5),
            Region.at(1, 1, 1).size(2, 2, 3),
            Region.at(1, 0, 0).size(2, 4, 5),
            Region.at(0, 2, 0).size(3, 1, 5),
            Region.at(2, 3, 4).size(1, 1, 1),
            Region.at(0, 0, 3).size(3, 4, 2),
            Region.at(3, 4, 5).size(0, 0, 0),
        };
        for (final Region region : regions)
        {
            final A dest = Values.make(shm, (int)region.count(), e -> -1);
            shm.copyTo(region, dest);
            final long[] flat = flatIndices(shm.shape(), region);
            for (int i = 0; i < flat.length; i++)
            {
                Expect.equal(flat[i] + 1.0, Values.element(dest, i), "element " + i + " of " + region + " of " +
                    shm.elementType().dtype());
            }
        }
    }

    /** Regions of a 3 x 7 x 37 array for the reductions: whole, rows, columns, single elements, tails, empty. */
    private static final Region[] REDUCED = {
        Values.whole(3, 7, 37),
        Region.at(1, 0, 0).size(2, 7, 37),
        Region.at(0, 2, 5).size(3, 4, 31),
        Region.at(2, 6, 36).size(1, 1, 1),
        Region.at(0, 0, 0).size(1, 1, 9),
        Region.at(1, 3, 0).size(1, 1, 37),
        Region.at(0, 0, 30).size(3, 7, 7),
        Region.at(3, 7, 37).size(0, 0, 0),
        Region.at(1, 1, 1).size(2, 0, 5),
    };

    /**
     * {@code sum}, {@code min} and {@code max} of every element type over blocks of several shapes (runs of 1 to
     * 777 elements, so every loop tail) equal the same reductions of {@code copyTo}'s copy; an empty block sums to
     * 0 and has no minimum or maximum.
     */
    static void reductions(final Communicator comm)
    {
        for (final ElementType type : ElementType.values())
        {
            try (SharedArray<?> shm = SharedArray.create(comm, type, 3, 7, 37))
            {
                expectReductions(comm, shm);
            }
        }
        try (SharedLongArray shm = SharedArray.ofLongs(comm, 2))
        {
            final int w = lastWritable(shm, comm.size());
            shm.set(comm.rank() == w ? new long[] {Long.MAX_VALUE, 1} : null, w);
            Expect.equal(Long.MIN_VALUE, shm.sum(Region.at(0).size(2)), "a long sum past the range wraps, as int64");
        }
        try (SharedByteArray shm = SharedArray.ofBytes(comm, 1000))
        {
            final int w = lastWritable(shm, comm.size());
            final byte[] data = new byte[1000];
            java.util.Arrays.fill(data, (byte)-128);
            shm.set(comm.rank() == w ? data : null, w);
            Expect.equal(-128_000L, shm.sum(Region.at(0).size(1000)), "bytes sum as signed int8, in a long");
        }
    }

    private static <A> void expectReductions(final Communicator comm, final SharedArray<A> shm)
    {
        final int w = lastWritable(shm, comm.size());
        // Values from -50 to 50, exact in every type, negative ones included.
        shm.set(comm.rank() == w ? Values.make(shm, 777, e -> (e * 37 + 11) % 101 - 50) : null, w);
        for (final Region region : REDUCED)
        {
            final A copy = Values.make(shm, (int)region.count(), e -> 0);
            shm.copyTo(region, copy);
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < region.count(); i++)
            {
                final double x = Values.element(copy, i);
                sum += x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            final String what = " of " + region + " of " + shm.elementType().dtype();
            Expect.equal(sum, reduce(shm, "sum", region), "sum" + what);
            if (region.count() == 0)
            {
                for (final String op : new String[] {"min", "max"})
                {
                    Expect.throwsOf(IllegalArgumentException.class, () -> reduce(shm, op, region),
                        op + "() on rank " + comm.rank(), "is empty");
                }
            }
            else
            {
                Expect.equal(min, reduce(shm, "min", region), "min" + what);
                Expect.equal(max, reduce(shm, "max", region), "max" + what);
            }
        }
    }

    /** {@code sum}, {@code min} or {@code max} of a typed array, as a double (exact for the values used here). */
    private static double reduce(final SharedArray<?> shm, final String op, final Region region)
    {
        if (shm instanceof SharedDoubleArray d)
        {
            return "sum".equals(op) ? d.sum(region) : "min".equals(op) ? d.min(region) : d.max(region);
        }
        if (shm instanceof SharedFloatArray f)
        {
            return "sum".equals(op) ? f.sum(region) : "min".equals(op) ? f.min(region) : f.max(region);
        }
        if (shm instanceof SharedLongArray l)
        {
            return "sum".equals(op) ? l.sum(region) : "min".equals(op) ? l.min(region) : l.max(region);
        }
        if (shm instanceof SharedIntArray i)
        {
            return "sum".equals(op) ? i.sum(region) : "min".equals(op) ? i.min(region) : i.max(region);
        }
        if (shm instanceof SharedShortArray h)
        {
            return "sum".equals(op) ? h.sum(region) : "min".equals(op) ? h.min(region) : h.max(region);
        }
        final SharedByteArray b = (SharedByteArray)shm;
        return "sum".equals(op) ? b.sum(region) : "min".equals(op) ? b.min(region) : b.max(region);
    }

    /**
     * A NaN makes the {@code float64} and {@code float32} sum, min and max of every block holding it NaN, as in
     * numpy, wherever it lies in a run (first, inside the unrolled loop, in the tail); blocks without it are
     * untouched; +inf and -inf together give a NaN sum but a true minimum and maximum.
     */
    static void reductionsWithNaN(final Communicator comm)
    {
        final int n = 203;
        final Region whole = Region.at(0).size(n);
        try (SharedDoubleArray d = SharedArray.ofDoubles(comm, n); SharedFloatArray f = SharedArray.ofFloats(comm, n))
        {
            final int w = lastWritable(d, comm.size());
            for (final int at : new int[] {0, 1, 100, 201, 202})
            {
                final double[] dv = new double[n];
                final float[] fv = new float[n];
                for (int i = 0; i < n; i++)
                {
                    dv[i] = i - 100;
                    fv[i] = i - 100;
                }
                dv[at] = Double.NaN;
                fv[at] = Float.NaN;
                d.set(comm.rank() == w ? dv : null, w);
                f.set(comm.rank() == w ? fv : null, w);
                final String where = " with a NaN at " + at;
                Expect.isTrue(Double.isNaN(d.sum(whole)) && Double.isNaN(d.min(whole)) &&
                    Double.isNaN(d.max(whole)), "float64 sum, min and max" + where);
                Expect.isTrue(Double.isNaN(f.sum(whole)) && Float.isNaN(f.min(whole)) && Float.isNaN(f.max(whole)),
                    "float32 sum, min and max" + where);
                final Region before = Region.at(0).size(at);
                if (at > 0)
                {
                    Expect.equal(-100.0, d.min(before), "float64 min before the NaN" + where);
                    Expect.equal(at - 101.0, d.max(before), "float64 max before the NaN" + where);
                    Expect.equal(at - 101.0f, f.max(before), "float32 max before the NaN" + where);
                }
            }
            final double[] dv = new double[n];
            final float[] fv = new float[n];
            dv[7] = Double.POSITIVE_INFINITY;
            dv[150] = Double.NEGATIVE_INFINITY;
            fv[7] = Float.POSITIVE_INFINITY;
            fv[150] = Float.NEGATIVE_INFINITY;
            d.set(comm.rank() == w ? dv : null, w);
            f.set(comm.rank() == w ? fv : null, w);
            Expect.isTrue(Double.isNaN(d.sum(whole)), "float64 sum of +inf and -inf is NaN");
            Expect.equal(Double.NEGATIVE_INFINITY, d.min(whole), "float64 min with infinities");
            Expect.equal(Double.POSITIVE_INFINITY, d.max(whole), "float64 max with infinities");
            Expect.equal(Float.NEGATIVE_INFINITY, f.min(whole), "float32 min with infinities");
            Expect.equal(Float.POSITIVE_INFINITY, f.max(whole), "float32 max with infinities");
        }
    }

    /** Reductions refuse a null region, other dimensions, a block outside the array and a closed array. */
    static void reductionMisuse(final Communicator comm)
    {
        final String rank = " on rank " + comm.rank();
        final SharedIntArray shm = SharedArray.ofInts(comm, 4, 5);
        Expect.throwsOf(IllegalArgumentException.class, () -> shm.sum(null), "sum()" + rank, "region is null");
        Expect.throwsOf(IllegalArgumentException.class, () -> shm.min(Region.at(0).size(3)), "min()" + rank,
            "has 1 dimensions but the array has 2");
        Expect.throwsOf(IllegalArgumentException.class, () -> shm.max(Region.at(2, 1).size(3, 4)), "max()" + rank,
            "does not fit in the array (4, 5) (dimension 0)");
        shm.close();
        Expect.throwsOf(IllegalStateException.class, () -> shm.sum(Region.at(0, 0).size(1, 1)), "sum()" + rank,
            "is closed");
    }

    /**
     * {@code allGather} of every array type returns that type with no cast: rank r's elements at r times the
     * length.
     */
    static void typedAllGather(final Communicator comm)
    {
        final int n = comm.size();
        final int r = comm.rank();
        final byte[] bytes = comm.allGather(new byte[] {(byte)r, (byte)-r});
        final short[] shorts = comm.allGather(new short[] {(short)(r + 1), (short)(r + 2)});
        final int[] ints = comm.allGather(new int[] {r * 3, r * 3 + 1});
        final long[] longs = comm.allGather(new long[] {Long.MAX_VALUE - r, r});
        final float[] floats = comm.allGather(new float[] {r + 0.5f, r - 0.5f});
        final double[] doubles = comm.allGather(new double[] {r * 0.25, -r * 0.25});
        for (final Object gathered : new Object[] {bytes, shorts, ints, longs, floats, doubles})
        {
            Expect.equal(2 * n, java.lang.reflect.Array.getLength(gathered),
                "length of the gathered " + gathered.getClass().getSimpleName());
        }
        for (int i = 0; i < n; i++)
        {
            Expect.equal((byte)i, bytes[2 * i], "gathered byte of rank " + i);
            Expect.equal((byte)-i, bytes[2 * i + 1], "gathered second byte of rank " + i);
            Expect.equal((short)(i + 2), shorts[2 * i + 1], "gathered short of rank " + i);
            Expect.equal(i * 3 + 1, ints[2 * i + 1], "gathered int of rank " + i);
            Expect.equal(Long.MAX_VALUE - i, longs[2 * i], "gathered long of rank " + i);
            Expect.equal(i - 0.5f, floats[2 * i + 1], "gathered float of rank " + i);
            Expect.equal(i * 0.25, doubles[2 * i], "gathered double of rank " + i);
        }
        // A typed allGather feeds a typed array: every rank's value in one whole-array set().
        try (SharedLongArray shm = SharedArray.ofLongs(comm, n))
        {
            shm.set(comm.allGather(new long[] {r * r}), 0);
            Values.expectAll(shm, flat -> flat * flat, "array set from a gathered long[]");
        }
    }
}
