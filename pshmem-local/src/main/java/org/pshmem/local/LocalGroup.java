package org.pshmem.local;

import java.lang.reflect.Array;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.stream.IntStream;

import org.pshmem.api.PshmemException;
import org.pshmem.api.RankFailedException;
import org.pshmem.spi.Fingerprint;

/**
 * A group of ranks of an in-process job and the state its collectives share. Every collective is one
 * {@link #exchange(Fingerprint, int, Object)}: each member deposits its call's fingerprint and a contribution
 * and parks until the last member arrives, then all read all contributions, or all throw the same failure when
 * the fingerprints differ. Contributions are private copies, so a member may reuse its buffers as soon as it
 * returns.
 */
final class LocalGroup
{
    /** A member's part of a collective or a message: a private copy of its data (or null) and its shape. */
    static final class Part
    {
        final Object data;
        final int count;
        final Class<?> type;
        /** The sender's step, for a message (see {@link LocalJobState#countSend}). */
        long step;

        Part(final Object data, final int count, final Class<?> type)
        {
            this.data = data;
            this.count = count;
            this.type = type;
        }

        static Part copyOf(final Object array, final int offset, final int count)
        {
            final Object copy = Array.newInstance(array.getClass().getComponentType(), count);
            System.arraycopy(array, offset, copy, 0, count);
            return new Part(copy, count, array.getClass());
        }

        static Part shapeOf(final Object array, final int count)
        {
            return new Part(null, count, array.getClass());
        }

        long bytes()
        {
            final Class<?> element = type.getComponentType();
            final int size = element == byte.class || element == boolean.class ? 1 :
                element == short.class || element == char.class ? 2 :
                element == int.class || element == float.class ? 4 : 8;
            return (long)size * count;
        }

        String describe()
        {
            return count + " " + type.getComponentType() + " elements";
        }
    }

    private final LocalJobState job;
    private final int[] members;
    private final Map<Object[], Map<Integer, LocalGroup>> splits = new IdentityHashMap<>();
    private final Map<Mailbox, ArrayDeque<Part>> mailboxes = new HashMap<>();
    private final String name;
    private Object[] slots;
    private Fingerprint[] prints;
    private boolean[] present;
    private boolean[] left;
    private int arrived;
    private long generation;
    private Object[] published;
    private Fingerprint[] publishedPrints;
    private int pickedUp;

    /**
     * @param job     the job.
     * @param members the world rank of each member, by index.
     * @param world   true for the job's world group, which messages name so.
     */
    LocalGroup(final LocalJobState job, final int[] members, final boolean world)
    {
        this.job = job;
        this.members = members;
        this.name = world ? "the world communicator" : "the communicator of world " +
            Fingerprint.ranks(Arrays.stream(members).boxed().toList());
        this.slots = new Object[members.length];
        this.prints = new Fingerprint[members.length];
        this.present = new boolean[members.length];
        this.left = new boolean[members.length];
    }

    int size()
    {
        return members.length;
    }

    /** @return e.g. {@code the world communicator} or {@code the communicator of world ranks 0-1}. */
    String name()
    {
        return name;
    }

    LocalJobState job()
    {
        return job;
    }

    int nodeOf(final int index)
    {
        return job.nodeOf(members[index]);
    }

    int worldRank(final int index)
    {
        return members[index];
    }

    /**
     * Deposits this member's call and contribution and returns every member's contribution, in index order, once
     * all have arrived.
     *
     * @throws PshmemException on every member alike when the members' fingerprints differ, naming every call.
     */
    Object[] exchange(final Fingerprint print, final int index, final Object contribution)
    {
        return exchange(print, index, contribution, null);
    }

    /**
     * {@link #exchange(Fingerprint, int, Object)}, which this member leaves when {@code giveWay} (when not null)
     * says so while it waits: its deposit is taken back, so the exchange goes on as if it had not come.
     *
     * @return every member's contribution; null when this member gave way.
     */
    Object[] exchange(final Fingerprint print, final int index, final Object contribution,
        final java.util.function.BooleanSupplier giveWay)
    {
        job.countMessage(members[index]);
        job.lock.lock();
        try
        {
            final long round = generation;
            slots[index] = contribution;
            prints[index] = print;
            present[index] = true;
            if (++arrived == members.length)
            {
                published = slots;
                publishedPrints = prints;
                slots = new Object[members.length];
                prints = new Fingerprint[members.length];
                present = new boolean[members.length];
                arrived = 0;
                generation++;
                job.signal();
            }
            else if (null == giveWay)
            {
                job.await(print.call(), members[index], () -> generation != round, this::absentAndFinished,
                    print.toString());
            }
            else if (!job.awaitUnless(print.call(), members[index], () -> generation != round,
                this::absentAndFinished, print.toString(), giveWay))
            {
                // Still this round, as it cannot complete without this member: take the deposit back.
                slots[index] = null;
                prints[index] = null;
                present[index] = false;
                arrived--;
                return null;
            }
            for (final Fingerprint other : publishedPrints)
            {
                if (!other.matches(print))
                {
                    throw Fingerprint.mismatch(name, index, publishedPrints);
                }
            }
            return published;
        }
        finally
        {
            job.lock.unlock();
        }
    }

    /**
     * Whether another member deposited a call of step {@code step} in the collective now being gathered, and
     * waits there for member {@code index}, which is not in it (it waits in a barrier made elsewhere). A deposit
     * of a later step (a member that already left that barrier and went on) does not count.
     */
    boolean collectiveWaiting(final int index, final long step)
    {
        job.lock.lock();
        try
        {
            for (int i = 0; i < members.length; i++)
            {
                if (i != index && present[i] && prints[i].step() == step)
                {
                    return true;
                }
            }
            return false;
        }
        finally
        {
            job.lock.unlock();
        }
    }

    /** This member closed its endpoint: a member waiting for it in a collective fails instead of waiting. */
    void leave(final int index)
    {
        job.lock.lock();
        try
        {
            left[index] = true;
            job.signal();
        }
        finally
        {
            job.lock.unlock();
        }
    }

    /**
     * @return a failure of the job, or of a member that has finished, as seen by member {@code index}; or null.
     */
    RankFailedException failedMember(final String op, final int index)
    {
        job.lock.lock();
        try
        {
            if (null != job.failure())
            {
                return job.failureSeenBy(op, members[index]);
            }
            for (final int member : members)
            {
                if (job.hasFinished(member))
                {
                    return new RankFailedException(member, op + " on rank " + members[index] + ": rank " + member +
                        " finished without taking part in " + op, null);
                }
            }
            return null;
        }
        finally
        {
            job.lock.unlock();
        }
    }

    private int absentAndFinished()
    {
        for (int i = 0; i < members.length; i++)
        {
            if (!present[i] && (left[i] || job.hasFinished(members[i])))
            {
                return members[i];
            }
        }
        return -1;
    }

    /**
     * Collective: the group of this member's colour, shared by all members of that colour.
     */
    LocalGroup split(final Fingerprint print, final int index, final int color, final int key, final int[] newIndex)
    {
        final Object[] parts = exchange(print, index, new int[] {color, key});
        if (color < 0)
        {
            return null;
        }
        final int[] chosen = IntStream.range(0, members.length)
            .filter(i -> ((int[])parts[i])[0] == color)
            .boxed()
            .sorted(Comparator.<Integer>comparingInt(i -> ((int[])parts[i])[1]).thenComparingInt(i -> i))
            .mapToInt(Integer::intValue)
            .toArray();
        newIndex[0] = Arrays.stream(chosen).boxed().toList().indexOf(index);
        job.lock.lock();
        try
        {
            final Map<Integer, LocalGroup> byColor = splits.computeIfAbsent(parts, k -> new HashMap<>());
            final LocalGroup group = byColor.computeIfAbsent(color,
                c -> new LocalGroup(job, Arrays.stream(chosen).map(i -> members[i]).toArray(), false));
            if (++group.pickedUp == chosen.length)
            {
                byColor.remove(color);
                if (byColor.isEmpty())
                {
                    splits.remove(parts);
                }
            }
            return group;
        }
        finally
        {
            job.lock.unlock();
        }
    }

    void send(final int from, final int to, final int tag, final Part part)
    {
        job.countMessage(members[from]);
        part.step = job.countSend(members[from], part.bytes());
        job.lock.lock();
        try
        {
            mailboxes.computeIfAbsent(mailbox(from, to, tag), k -> new ArrayDeque<>()).add(part);
            job.signal();
        }
        finally
        {
            job.lock.unlock();
        }
    }

    Part receive(final String op, final int from, final int to, final int tag)
    {
        job.lock.lock();
        try
        {
            job.await(op, members[to], () -> null != waiting(from, to, tag),
                () -> from >= 0 && job.hasFinished(members[from]) ? members[from] : -1, null);
            final Part part = waiting(from, to, tag).poll();
            job.countReceive(members[to], part.step);
            return part;
        }
        finally
        {
            job.lock.unlock();
        }
    }

    boolean probe(final int from, final int to, final int tag)
    {
        job.lock.lock();
        try
        {
            return null != waiting(from, to, tag);
        }
        finally
        {
            job.lock.unlock();
        }
    }

    /** With the lock held: a non-empty queue of messages for {@code to} with {@code tag} from {@code from}
     *  (any member when negative), or null. */
    private ArrayDeque<Part> waiting(final int from, final int to, final int tag)
    {
        for (int source = from < 0 ? 0 : from; source < (from < 0 ? members.length : from + 1); source++)
        {
            final ArrayDeque<Part> queue = mailboxes.get(mailbox(source, to, tag));
            if (null != queue && !queue.isEmpty())
            {
                return queue;
            }
        }
        return null;
    }

    private static Mailbox mailbox(final int from, final int to, final int tag)
    {
        return new Mailbox(from, to, tag);
    }

    private record Mailbox(int from, int to, int tag)
    {
    }
}
