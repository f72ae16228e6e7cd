package org.pshmem.local;


import org.pshmem.api.PshmemException;
import org.pshmem.api.RankFailedException;
import org.pshmem.api.ReduceOp;
import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.Fingerprint;
import org.pshmem.spi.Fingerprint.Collective;
import org.pshmem.spi.PostedReceive;
import org.pshmem.spi.RankActivity;

/**
 * One member's handle on a {@link LocalGroup}. Every collective carries its {@link Fingerprint}, numbered by
 * this endpoint's count of collectives, so members that call different collectives at one step all fail,
 * naming every call; collectives also check that every member passed the same count, and fail on all members
 * alike when they do not.
 */
final class LocalEndpoint implements CommEndpoint
{
    private final LocalGroup group;
    private final int index;
    private final RankActivity activity;
    private boolean closed;
    private long steps;

    LocalEndpoint(final LocalGroup group, final int index)
    {
        this.group = group;
        this.index = index;
        this.activity = group.job().activity(group.worldRank(index));
    }

    @Override
    public int rank()
    {
        return index;
    }

    @Override
    public int size()
    {
        return group.size();
    }

    @Override
    public int worldRank()
    {
        return group.worldRank(index);
    }

    @Override
    public void barrier()
    {
        exchange(Fingerprint.of(steps, Collective.BARRIER), null);
    }

    @Override
    public Fingerprint enterBarrierElsewhere()
    {
        final Fingerprint print = Fingerprint.of(steps, Collective.BARRIER);
        activity.enter(print, group.name());
        return print;
    }

    @Override
    public void exitBarrierElsewhere(final boolean done)
    {
        if (done)
        {
            steps++;
        }
        activity.exit();
    }

    /** {@link #collectiveWaiting} can tell: barriers across nodes may wait in node memory. */
    @Override
    public boolean tellsCollectiveWaiting()
    {
        return true;
    }

    @Override
    public boolean collectiveWaiting(final long step)
    {
        return group.collectiveWaiting(index, step);
    }

    @Override
    public RankActivity activity()
    {
        return activity;
    }

    @Override
    public void objectBarrier()
    {
        exchange(Fingerprint.of(steps, Collective.OBJECT_BARRIER), null);
    }

    @Override
    public void broadcast(final Object array, final int offset, final int count, final int root)
    {
        final String op = "broadcast()";
        final Object[] parts = exchange(Fingerprint.broadcast(steps, array, count, root), index == root ?
            LocalGroup.Part.copyOf(array, offset, count) : LocalGroup.Part.shapeOf(array, count));
        final LocalGroup.Part sent = (LocalGroup.Part)parts[root];
        checkAllMatch(op, parts, sent, "root " + root + " sends ");
        if (index != root)
        {
            System.arraycopy(sent.data, 0, array, offset, count);
        }
    }

    @Override
    public void allGather(final Object send, final int count, final Object receive)
    {
        final String op = "allGather()";
        final Object[] parts = exchange(Fingerprint.of(steps, Collective.ALL_GATHER, send, count),
            LocalGroup.Part.copyOf(send, 0, count));
        checkAllMatch(op, parts, (LocalGroup.Part)parts[0], "rank 0 contributes ");
        for (int i = 0; i < parts.length; i++)
        {
            System.arraycopy(((LocalGroup.Part)parts[i]).data, 0, receive, i * count, count);
        }
    }

    @Override
    public void allReduce(final Object send, final Object receive, final int count, final ReduceOp op)
    {
        final String name = "allReduce()";
        final Object[] parts = exchange(Fingerprint.allReduce(steps, send, count, op),
            LocalGroup.Part.copyOf(send, 0, count));
        checkAllMatch(name, parts, (LocalGroup.Part)parts[0], "rank 0 contributes ");
        // Same order on every member, so floating-point results are identical everywhere.
        System.arraycopy(((LocalGroup.Part)parts[0]).data, 0, receive, 0, count);
        for (int i = 1; i < parts.length; i++)
        {
            reduceInto(receive, ((LocalGroup.Part)parts[i]).data, count, op);
        }
    }

    /** Leaves cleanly: the deposit is taken back and the step not counted, so the endpoint stays usable. */
    @Override
    public boolean allReduceUnless(final Object send, final Object receive, final int count, final ReduceOp op,
        final java.util.function.BooleanSupplier giveWay)
    {
        final Fingerprint print = Fingerprint.allReduce(steps, send, count, op);
        checkOpen();
        steps++;
        activity.enter(print, group.name());
        final Object[] parts;
        try
        {
            parts = group.exchange(print, index, LocalGroup.Part.copyOf(send, 0, count), giveWay);
        }
        finally
        {
            activity.exit();
        }
        if (null == parts)
        {
            steps--;
            return false;
        }
        checkAllMatch("allReduce()", parts, (LocalGroup.Part)parts[0], "rank 0 contributes ");
        System.arraycopy(((LocalGroup.Part)parts[0]).data, 0, receive, 0, count);
        for (int i = 1; i < parts.length; i++)
        {
            reduceInto(receive, ((LocalGroup.Part)parts[i]).data, count, op);
        }
        return true;
    }

    private static void reduceInto(final Object into, final Object data, final int count, final ReduceOp op)
    {
        if (into instanceof double[])
        {
            final double[] a = (double[])into;
            final double[] b = (double[])data;
            for (int e = 0; e < count; e++)
            {
                a[e] = op.apply(a[e], b[e]);
            }
        }
        else if (into instanceof long[])
        {
            final long[] a = (long[])into;
            final long[] b = (long[])data;
            for (int e = 0; e < count; e++)
            {
                a[e] = op.apply(a[e], b[e]);
            }
        }
        else
        {
            final int[] a = (int[])into;
            final int[] b = (int[])data;
            for (int e = 0; e < count; e++)
            {
                a[e] = (int)op.apply(a[e], b[e]);
            }
        }
    }

    @Override
    public void send(final Object array, final int offset, final int count, final int dest, final int tag)
    {
        checkOpen();
        group.send(index, dest, tag, LocalGroup.Part.copyOf(array, offset, count));
    }

    @Override
    public boolean probe(final int source, final int tag)
    {
        checkOpen();
        return group.probe(source, index, tag);
    }

    @Override
    public int receive(final Object array, final int offset, final int count, final int source, final int tag)
    {
        checkOpen();
        final String op = "receive()";
        final LocalGroup.Part part = group.receive(op, source, index, tag);
        if (part.type != array.getClass() || part.count > count)
        {
            throw new PshmemException(op + " on rank " + worldRank() + ": rank " + source + " sent " +
                part.describe() + " with tag " + tag + " but the receive has room for " + count + " " +
                array.getClass().getComponentType() + " elements");
        }
        System.arraycopy(part.data, 0, array, offset, part.count);
        return part.count;
    }

    /** Receives in {@code await()}, as the default does, and counts the receive as posted until then. */
    @Override
    public PostedReceive receiveLater(final Object array, final int offset, final int count, final int source,
        final int tag)
    {
        checkOpen();
        final LocalJobState job = group.job();
        final int me = worldRank();
        job.countPostedReceive(me, 1);
        return () ->
        {
            try
            {
                return receive(array, offset, count, source, tag);
            }
            finally
            {
                job.countPostedReceive(me, -1);
            }
        };
    }

    @Override
    public RankFailedException failedMember(final String op)
    {
        return group.failedMember(op, index);
    }

    @Override
    public CommEndpoint split(final int color, final int key)
    {
        checkOpen();
        final int[] newIndex = new int[1];
        final Fingerprint print = Fingerprint.of(steps++, Collective.SPLIT);
        activity.enter(print, group.name());
        try
        {
            final LocalGroup child = group.split(print, index, color, key, newIndex);
            return null == child ? null : new LocalEndpoint(child, newIndex[0]);
        }
        finally
        {
            activity.exit();
        }
    }

    @Override
    public CommEndpoint splitByNode()
    {
        // Threads of one JVM could all share memory; nodes are simulated so replication between nodes is real.
        return split(group.nodeOf(index), index);
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            group.leave(index);
        }
    }

    /** One collective: this member's call, numbered by the steps before it, and its contribution. */
    private Object[] exchange(final Fingerprint print, final Object contribution)
    {
        checkOpen();
        steps++;
        activity.enter(print, group.name());
        try
        {
            return group.exchange(print, index, contribution);
        }
        finally
        {
            activity.exit();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("communicator endpoint of world rank " + worldRank() + " is closed");
        }
        checkCallingThread();
    }

    @Override
    public void checkCallingThread()
    {
        // Ranks as threads share one heap: a communicator reached through a shared static would otherwise mix
        // two ranks' calls in one collective. Threads a rank starts itself are bound to no rank and may use it.
        final LocalJobState.Rank caller = LocalJobState.current();
        if (null != caller && caller.job == group.job() && caller.rank != worldRank())
        {
            throw new IllegalStateException("a communicator of world rank " + worldRank() +
                " was used on the thread of world rank " + caller.rank + " (" + Thread.currentThread().getName() +
                "): each rank must use only its own communicators; were they shared through a static field?");
        }
    }

    private void checkAllMatch(final String op, final Object[] parts, final LocalGroup.Part reference,
        final String what)
    {
        for (int i = 0; i < parts.length; i++)
        {
            final LocalGroup.Part part = (LocalGroup.Part)parts[i];
            if (part.type != reference.type || part.count != reference.count)
            {
                throw new PshmemException(op + " on rank " + index + ": " + what + reference.describe() +
                    " but rank " + i + " passed " + part.describe());
            }
        }
    }
}
