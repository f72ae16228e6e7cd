package org.pshmem.tests;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import org.pshmem.api.Communicator;
import org.pshmem.api.DistributedLock;
import org.pshmem.api.NodeGroups;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedIntArray;

/**
 * Collectives misused as a new user would, on 3 ranks or more: each case must make every rank end, quickly and
 * with a message that names the calls and the ranks, instead of hanging. A case ruins the job it runs in, so
 * each runs in a launch of its own ({@link MisuseJob} under MPJ); a test checks the job's status, how long it
 * took and that the message holds every one of {@link Misuse#expected(int)}.
 */
public final class MisuseScenarios
{
    /**
     * One misuse, caught on every transport and layout.
     *
     * @param body       what every rank runs.
     * @param expectedOn by the job's rank count: texts the job's failure message must contain.
     */
    public record Misuse(Scenario body, IntFunction<List<String>> expectedOn)
    {
        /** A misuse whose expected texts are the same on any number of ranks. */
        Misuse(final Scenario body, final List<String> expected)
        {
            this(body, ranks -> expected);
        }

        /**
         * @param ranks the job's world size (3 or more).
         * @return texts the job's failure message must contain.
         */
        public List<String> expected(final int ranks)
        {
            if (ranks < 3)
            {
                throw new IllegalArgumentException("the misuse cases need 3 ranks or more, not " + ranks);
            }
            return expectedOn.apply(ranks);
        }
    }

    private MisuseScenarios()
    {
    }

    /** @return every case by name, in a fixed order. */
    public static Map<String, Misuse> all()
    {
        final Map<String, Misuse> all = new LinkedHashMap<>();
        all.put("lone-barrier", new Misuse(pshmem ->
        {
            if (pshmem.world().rank() == 0)
            {
                pshmem.world().barrier();
            }
        }, List.of("finished without taking part in barrier() (step ")));
        all.put("barrier-against-allReduce", new Misuse(pshmem ->
        {
            final Communicator world = pshmem.world();
            world.allReduce(1, ReduceOp.SUM); // a step that matches, so the mismatch is at step 1 or later
            if (world.rank() == 0)
            {
                world.barrier();
            }
            else
            {
                world.allReduce(world.rank(), ReduceOp.SUM);
            }
        }, List.of("collectives do not match at step 1 of the world communicator: rank 0 called barrier(), " +
            "ranks 1-")));
        all.put("lone-set", new Misuse(pshmem ->
        {
            try (SharedIntArray array = SharedArray.ofInts(pshmem.world(), 4))
            {
                if (pshmem.world().rank() == 0)
                {
                    array.set(new int[] {1, 2, 3, 4}, 0);
                }
            }
        }, List.of("finished without taking part in ")));
        all.put("set-against-creation", new Misuse(pshmem ->
        {
            try (SharedIntArray array = SharedArray.ofInts(pshmem.world(), 4))
            {
                if (pshmem.world().rank() == 0)
                {
                    array.set(new int[] {1, 2, 3, 4}, 0);
                }
                else
                {
                    SharedArray.ofInts(pshmem.world(), 2).close();
                }
            }
        }, List.of("collectives do not match at call 2 of the world communicator since its first array: rank 0 " +
            "called set() on array 1, rank", "called the creation of array 2")));
        all.put("crossed-sets", new Misuse(pshmem ->
        {
            try (SharedIntArray first = SharedArray.ofInts(pshmem.world(), 4);
                SharedIntArray second = SharedArray.ofInts(pshmem.world(), 4))
            {
                final int[] data = pshmem.world().rank() == 0 ? new int[] {1, 2, 3, 4} : null;
                (pshmem.world().rank() == 0 ? first : second).set(data, 0);
            }
        }, List.of("collectives do not match at call 3 of the world communicator since its first array: rank 0 " +
            "called set() on array 1, rank", "called set() on array 2")));
        all.put("crossed-sets-by-node", new Misuse(pshmem ->
        {
            // Across nodes, the ranks of rank 0's node write one array and the other nodes another: each node
            // agrees within itself, and only the node leaders' messages can tell.
            final Communicator world = pshmem.world();
            try (NodeGroups groups = NodeGroups.split(world);
                SharedIntArray first = SharedArray.ofInts(world, 4);
                SharedIntArray second = SharedArray.ofInts(world, 4))
            {
                final boolean oneNode = groups.node().size() == world.size();
                final boolean withRankZero = groups.node().allReduce(world.rank() == 0 ? 1 : 0, ReduceOp.MAX) == 1;
                final boolean writesFirst = oneNode ? world.rank() == 0 : withRankZero;
                final int[] data = world.rank() == 0 ? new int[] {1, 2, 3, 4} : null;
                (writesFirst ? first : second).set(data, 0);
            }
        }, List.of("collectives do not match at call 3 of the world communicator since its first array: ",
            "called set() on array 1", "called set() on array 2")));
        all.put("barrier-against-set", new Misuse(pshmem ->
        {
            try (SharedIntArray array = SharedArray.ofInts(pshmem.world(), 4))
            {
                if (pshmem.world().rank() == 0)
                {
                    pshmem.world().barrier();
                }
                else
                {
                    array.set(pshmem.world().rank() == 1 ? new int[] {1, 2, 3, 4} : null, 1);
                }
            }
        }, List.of("collectives do not match at call 2 of the world communicator since its first array: rank 0 " +
            "called barrier(), rank", "called set() on array 1")));
        all.put("barrier-against-allReduce-by-node", new Misuse(pshmem ->
        {
            // Every rank of rank 0's node in barrier(), every rank of the other nodes in allReduce(): no rank of
            // a node meets a different call in node memory, and the barrier's node leaders exchange messages
            // with leaders that are not there. On one node, rank 0 against the others.
            final Communicator world = pshmem.world();
            final boolean withRankZero = withRankZero(world);
            world.barrier(); // the first barrier goes through the transport; later ones through node memory
            if (withRankZero)
            {
                world.barrier();
            }
            else
            {
                world.allReduce(world.rank(), ReduceOp.SUM);
            }
        }, List.of("collectives do not match at step ", " of the world communicator: rank", "called barrier()",
            "called allReduce(int, SUM)")));
        all.put("barrier-against-set-by-node", new Misuse(pshmem ->
        {
            final Communicator world = pshmem.world();
            try (SharedIntArray array = SharedArray.ofInts(world, 4))
            {
                final int writer = world.size() - 1; // never on rank 0's node, when there are several
                if (withRankZero(world))
                {
                    world.barrier();
                }
                else
                {
                    array.set(world.rank() == writer ? new int[] {1, 2, 3, 4} : null, writer);
                }
            }
        }, List.of("collectives do not match at call ", " of the world communicator since its first array: rank",
            "called barrier()", "called set() on array 1")));
        all.put("barrier-against-allReduce-mixed", new Misuse(pshmem ->
        {
            // Rank 1 alone in allReduce(): on two nodes of 3 ranks (0-1, 2) its node is mixed and the other
            // node is all in barrier().
            final Communicator world = pshmem.world();
            world.barrier();
            if (world.rank() == 1)
            {
                world.allReduce(world.rank(), ReduceOp.SUM);
            }
            else
            {
                world.barrier();
            }
        }, List.of("collectives do not match at step ", " of the world communicator: rank", "called barrier()",
            "rank 1 called allReduce(int, SUM)")));
        all.put("barrier-against-lock-close", new Misuse(pshmem ->
        {
            // The lock's close() has a barrier of its own: it must not complete rank 0's.
            try (DistributedLock lock = DistributedLock.create(pshmem.world()))
            {
                if (pshmem.world().rank() == 0)
                {
                    pshmem.world().barrier();
                }
            }
        }, ranks -> List.of("collectives do not match at step ", "rank 0 called barrier(), ranks 1-" + (ranks - 1) +
            " called the creation or close() of a lock, counter, semaphore or condition")));
        all.put("lone-creation", new Misuse(pshmem ->
        {
            if (pshmem.world().rank() == 0)
            {
                SharedArray.ofInts(pshmem.world(), 4).close();
            }
        }, List.of("finished without taking part in ")));
        all.put("early-return", new Misuse(pshmem ->
        {
            final Communicator world = pshmem.world();
            if (world.rank() != world.size() - 1)
            {
                world.allReduce(1L, ReduceOp.MAX);
            }
        }, List.of("finished without taking part in allReduce(long, MAX) (step 0)")));
        all.put("early-close", new Misuse(pshmem ->
        {
            final Communicator world = pshmem.world();
            try (Communicator split = world.split(0, world.rank()))
            {
                if (world.rank() == 1)
                {
                    split.close();
                    world.barrier();
                }
                else
                {
                    split.barrier();
                }
            }
        }, List.of("rank 1 finished without taking part in barrier() (step 0)")));
        return all;
    }

    /**
     * Collective over {@code world}: whether this rank's node holds rank 0; on one node, whether it is rank 0.
     */
    private static boolean withRankZero(final Communicator world)
    {
        try (NodeGroups groups = NodeGroups.split(world))
        {
            if (groups.node().size() == world.size())
            {
                return world.rank() == 0;
            }
            return groups.node().allReduce(world.rank() == 0 ? 1 : 0, ReduceOp.MAX) == 1;
        }
    }
}
