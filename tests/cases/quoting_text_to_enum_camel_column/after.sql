CREATE TYPE "OrderStatus" AS ENUM ('PENDING', 'SHIPPED');
CREATE TABLE "Order" ("id" int PRIMARY KEY, "orderStatus" "OrderStatus" NOT NULL DEFAULT 'PENDING');
