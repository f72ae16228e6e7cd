package org.pshmem.api;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.pshmem.spi.Fingerprint;

/**
 * The array calls of a communicator's ranks on this node, in node memory kept for the communicator: each rank
 * posts the collective it enters (creation, {@code set()}, {@code assign()} and which array, or a
 * communicator collective such as {@code barrier()}) with its number among that rank's calls on the
 * communicator since the board was made (its first array), as one long (its <em>code</em>) in its own slot.
 *
 * <pre>
 *   the code in the slot of communicator rank r ({@link CallBoardLayout#slot}; 0 = no array call yet, or r is
 *   not on this node):
 *   bits 63..32  the rank's array call number, from 1
 *   bits 31..4   the array's number among the communicator's arrays, from 1, in creation order; for
 *                {@link ArrayCall#COLLECTIVE}, the call ({@link Fingerprint#callCode})
 *   bits  3..0   the {@link ArrayCall}
 * </pre>
 *
 * Two checks use it. A rank that waits in node memory looks at the board while it parks: when a rank of this
 * node posted a different call at the same number, the ranks wait in different collectives (such as
 * {@code set()} on two arrays) and would wait forever. And every reduction in node memory ({@link NodeSync})
 * carries the poster's code, so ranks whose different calls meet in the same reduction (across nodes, their
 * leaders' messages) fail instead of completing one another's call.
 *
 * <p>The memory starts with {@link CallBoardLayout#HEADER}. A rank that finds another header there does not
 * read the board: it posts {@link #FOREIGN}, which no call makes, so the next reduction that carries its code
 * fails on every rank of every node, naming that rank (on one node, the rank itself throws the header's
 * problem). It does not fail alone while it parks, which would leave the others waiting for it.
 *
 * <p>Owned by the rank's {@link Communicator}, which closes it before giving back the memory; a closed board
 * posts and finds nothing.
 */
final class CallBoard
{
    /** The calls posted. */
    enum ArrayCall
    {
        /** {@code SharedArray.create()} and its typed forms. */
        CREATE,
        /** {@code set()}. */
        SET,
        /** {@code assign()}. */
        ASSIGN,
        /** A collective of the {@link Communicator}, such as {@code barrier()}, posted once the board exists. */
        COLLECTIVE;

        private static final ArrayCall[] BY_CODE = values();

        String describe(final int detail)
        {
            switch (this)
            {
                case CREATE: return "the creation of array " + detail;
                case COLLECTIVE: return Fingerprint.decode(0, detail, 0).call();
                default: return name().toLowerCase(Locale.ROOT) + "() on array " + detail;
            }
        }
    }

    /**
     * The code of a rank whose board's memory is not of this layout: above every call's code, so it differs from
     * them in the minimum and maximum of a reduction and wins the maximum by which leaders gather the codes.
     */
    static final long FOREIGN = Long.MAX_VALUE;
    private static final int NUMBER_SHIFT = 32;
    private static final int CALL_BITS = 4;

    private final NodeBuffer slots;
    private final String layoutProblem;
    private final int rank;
    private final boolean[] here;
    private final String communicator;
    private long posted;
    private int number;
    private boolean closed;

    /**
     * @param slots        {@link #bytes(int)} bytes of node memory shared by the communicator's ranks on this
     *                     node, zero at first; its header is stamped here when it is not yet.
     * @param rank         this rank.
     * @param here         by communicator rank, whether that rank is on this node (and posts here).
     * @param communicator names the communicator in messages.
     */
    CallBoard(final ByteBuffer slots, final int rank, final boolean[] here, final String communicator)
    {
        this.slots = new NodeBuffer(slots);
        this.rank = rank;
        this.here = here.clone();
        this.communicator = communicator;
        if (0 == this.slots.getLongVolatile(0))
        {
            CallBoardLayout.HEADER.stamp(this.slots, 0); // every rank of the node writes the same bytes
        }
        this.layoutProblem = CallBoardLayout.HEADER.problem(this.slots, 0);
    }

    /** @return bytes of node memory for a board of a communicator of {@code ranks} ranks, its header included. */
    static int bytes(final int ranks)
    {
        return CallBoardLayout.bytes(ranks);
    }

    /** @return why this board's memory is not a board of this pshmem version, or null when it is. */
    String layoutProblem()
    {
        return layoutProblem;
    }

    /**
     * Posts that this rank enters a communicator collective.
     *
     * @param callCode the call, as {@link Fingerprint#callCode} gives it.
     */
    void postCollective(final int callCode)
    {
        post(ArrayCall.COLLECTIVE, callCode);
    }

    /** Posts that this rank enters {@code call} on {@code array} (numbered by creation, from 1). */
    void post(final ArrayCall call, final int array)
    {
        if (!closed)
        {
            posted = null != layoutProblem ? FOREIGN :
                (long)++number << NUMBER_SHIFT | (long)array << CALL_BITS | call.ordinal();
            slots.putLongOrdered(CallBoardLayout.slot(rank), posted);
        }
    }

    /** @return the communicator's name in messages, such as {@code the world communicator}. */
    String communicator()
    {
        return communicator;
    }

    /** @return the code of this rank's last posted call; 0 before the first or once closed. */
    long posted()
    {
        return closed ? 0 : posted;
    }

    /** @return the codes of this node's ranks, by communicator rank; 0 for ranks of other nodes. */
    long[] codesHere()
    {
        final long[] codes = new long[here.length];
        if (null != layoutProblem)
        {
            codes[rank] = posted(); // a foreign board is not read
            return codes;
        }
        for (int r = 0; r < codes.length; r++)
        {
            codes[r] = here[r] && !closed ? slots.getLongVolatile(CallBoardLayout.slot(r)) : 0;
        }
        return codes;
    }

    /**
     * The check made while parking.
     *
     * @return the failure when a rank of this node posted a different call at this rank's last number; else null.
     */
    PshmemException mismatchHere()
    {
        if (closed || 0 == posted || null != layoutProblem)
        {
            // A foreign board is not read; its FOREIGN code fails the reduction on every rank, where throwing
            // here alone would leave the others waiting for this rank.
            return null;
        }
        boolean differs = false;
        for (int r = 0; r < here.length && !differs; r++)
        {
            final long slot = here[r] ? slots.getLongVolatile(CallBoardLayout.slot(r)) : 0;
            differs = slot >>> NUMBER_SHIFT == posted >>> NUMBER_SHIFT && slot != posted;
        }
        return differs ? mismatchOfNode() : null; // the common case, on every park, allocates nothing
    }

    /**
     * After {@link #mismatchHere()} found a mismatch: whether every rank of this node that posted another call at
     * this rank's number posted a communicator collective (such as {@code allReduce()}), which waits in the
     * communicator's endpoint rather than in node memory.
     *
     * @return true when no rank of this node at this number is in an array call other than this rank's.
     */
    boolean othersInEndpointCollectives()
    {
        if (closed || 0 == posted || null != layoutProblem)
        {
            return false;
        }
        for (int r = 0; r < here.length; r++)
        {
            final long slot = here[r] ? slots.getLongVolatile(CallBoardLayout.slot(r)) : 0;
            if (slot >>> NUMBER_SHIFT == posted >>> NUMBER_SHIFT && slot != posted &&
                (slot & (1 << CALL_BITS) - 1) != ArrayCall.COLLECTIVE.ordinal())
            {
                return false;
            }
        }
        return true;
    }

    /** @return the failure naming the calls of this node's ranks, as they are on the board now. */
    PshmemException mismatchOfNode()
    {
        if (null != layoutProblem)
        {
            return new PshmemException(layoutProblem);
        }
        return mismatch(codesHere(), here);
    }

    /**
     * @param codes every rank's code, gathered from every node.
     * @return the failure naming every rank's call.
     */
    PshmemException mismatchOfAll(final long[] codes)
    {
        if (null != layoutProblem)
        {
            return new PshmemException(layoutProblem);
        }
        final boolean[] known = new boolean[codes.length];
        java.util.Arrays.fill(known, true);
        return mismatch(codes, known);
    }

    /**
     * Names the calls of the ranks in {@code known}, from their codes.
     *
     * @param codes by communicator rank, each rank's code.
     * @param known by communicator rank, whether its code is known (ranks of other nodes may not be).
     * @return the failure every rank involved throws, such as {@code collectives do not match at call 3 of the
     * world communicator since its first array: rank 0 called set() on array 1, ranks 1-3 called set() on array 2}.
     */
    PshmemException mismatch(final long[] codes, final boolean[] known)
    {
        final long at = posted >>> NUMBER_SHIFT;
        final Map<String, List<Integer>> ranksByCall = new LinkedHashMap<>();
        for (int r = 0; r < codes.length; r++)
        {
            if (known[r])
            {
                final long number = codes[r] >>> NUMBER_SHIFT;
                final String call = 0 == codes[r] ? "no array call yet" : FOREIGN == codes[r] ?
                    "nothing, as its board's node memory is of another layout" : describe(codes[r]) +
                    (number == at ? "" : " (call " + number + ")");
                ranksByCall.computeIfAbsent(call, c -> new ArrayList<>()).add(r);
            }
        }
        final StringBuilder text = new StringBuilder("collectives do not match at call ").append(at)
            .append(" of ").append(communicator).append(" since its first array:");
        String separator = " ";
        for (final Map.Entry<String, List<Integer>> entry : ranksByCall.entrySet())
        {
            text.append(separator).append(Fingerprint.ranks(entry.getValue())).append(" called ")
                .append(entry.getKey());
            separator = ", ";
        }
        return new PshmemException(text.toString());
    }

    /** The board's memory is being given back: nothing is posted or read any more. */
    void close()
    {
        closed = true;
    }

    private static String describe(final long code)
    {
        final int array = (int)((code & 0xFFFF_FFFFL) >>> CALL_BITS);
        return ArrayCall.BY_CODE[(int)(code & ((1 << CALL_BITS) - 1))].describe(array);
    }
}
