"""Event names, past tense, as appended to the outbox.

Payloads are JSON objects with camelCase keys; money is a decimal string.
The projector only needs the stream to know which order documents to rebuild.
"""

from __future__ import annotations

CUSTOMER_REGISTERED = "CustomerRegistered"  # {customerId, name, email}
CUSTOMER_UPDATED = "CustomerUpdated"  # {customerId, name?, email?}  (changed fields only)
PRODUCT_ADDED = "ProductAdded"  # {productId, sku, name, category, price, currency}
PRODUCT_UPDATED = "ProductUpdated"  # {productId, name?, category?, price?}
# {orderId, customerId, lines[{productId, quantity, unitPrice}], shippingAddress, total, currency}
ORDER_PLACED = "OrderPlaced"
SHIPPING_ADDRESS_UPDATED = "ShippingAddressUpdated"  # {orderId, shippingAddress}
ORDER_PAID = "OrderPaid"  # {orderId, amount}
ORDER_SHIPPED = "OrderShipped"  # {orderId, carrier, trackingNumber}
ORDER_DELIVERED = "OrderDelivered"  # {orderId}
ORDER_CANCELLED = "OrderCancelled"  # {orderId, reason}

ALL = frozenset(
    {
        CUSTOMER_REGISTERED,
        CUSTOMER_UPDATED,
        PRODUCT_ADDED,
        PRODUCT_UPDATED,
        ORDER_PLACED,
        SHIPPING_ADDRESS_UPDATED,
        ORDER_PAID,
        ORDER_SHIPPED,
        ORDER_DELIVERED,
        ORDER_CANCELLED,
    }
)

# Events that change what existing order documents show (fan-out:
# docs/ARCHITECTURE.md, invariant 5).
FAN_OUT = frozenset({CUSTOMER_UPDATED, PRODUCT_UPDATED})
